using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Replication;

namespace OrleansLog.Grains.Partitions;

/// <summary>Taking office, standing in, and what a <see cref="LeaderTerm"/> asks of the grain.</summary>
internal sealed partial class PartitionGrain : ILeaderTermHost
{
    /// <summary>How often a stand-in checks whether the partition's node is back (membership view, no I/O).</summary>
    private static readonly TimeSpan StandInCheckInterval = TimeSpan.FromMilliseconds(250);

    private bool _electedOnce;
    private IGrainTimer? _replicationTimer;

    /// <summary>The node that owns this partition when this activation is a stand-in on another node.</summary>
    private string? _standInFor;
    private IGrainTimer? _standInTimer;

    /// <summary>The partition's replicas as far as this activation knows: the persisted record, else the topic's assignment.</summary>
    private IReadOnlyList<string> CurrentReplicas =>
        _term?.Stored?.Replicas ?? (_records.Current.IsInitialized ? _records.Current.Replicas : _assigned);

    private bool IsAlive(string nodeId) => nodeId == node.NodeId || clusterNodes.IsActive(nodeId);

    /// <summary>
    /// Becomes the partition's leader if <see cref="LeaderElection"/> picks this node: stops the local
    /// follower, writes a new leader epoch and ISR with the record's ETag (so of two activations only one can
    /// take office), then leads this node's copy. Otherwise stands in for the chosen node, or answers
    /// LeaderNotAvailable when no in-sync replica is alive and unclean election is off.
    /// </summary>
    private async Task<LeaderTerm?> TakeOfficeAsync(CancellationToken cancellationToken)
    {
        if (_electedOnce)
        {
            // The activation read the record when it started; a retry must see what others wrote since.
            await _records.ReadAsync(cancellationToken);
        }

        _electedOnce = true;
        PartitionReplicationState stored = _records.Current;
        string? chosen = LeaderElection.Choose(stored, _assigned, IsAlive, _config.UncleanLeaderElectionEnable);
        if (chosen is null)
        {
            _unavailableError = ErrorCode.LeaderNotAvailable;
            _unavailableReason = stored.IsInitialized
                ? $"no in-sync replica is alive (replicas [{string.Join(",", stored.Replicas)}], ISR [{string.Join(",", stored.Isr)}]); unclean.leader.election.enable is off, so the partition waits for an in-sync replica to return"
                : $"none of its replicas [{string.Join(",", _assigned)}] is alive";
            return null;
        }

        if (chosen != node.NodeId)
        {
            BecomeStandIn(chosen);
            return null;
        }

        _standInFor = null;
        _standInTimer?.Dispose();
        _standInTimer = null;
        IReadOnlyList<string> replicas = stored.IsInitialized ? stored.Replicas : _assigned;
        int tentativeEpoch = stored.LeaderEpoch + 1;
        IReplicaGrain localReplica = GrainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(_id, node.NodeId));
        if (replicas.Count > 1)
        {
            // The node's follower copy becomes the leader's: it must stop writing first.
            using CancellationTokenSource bounded = CallTimeouts.Bounded(cancellationToken);
            ReplicaStatus local = await localReplica.StopAsync(tentativeEpoch, bounded.Token);
            if (local.LeaderEpoch > tentativeEpoch)
            {
                _unavailableError = ErrorCode.NotLeaderOrFollower;
                _unavailableReason = $"the replica on node '{node.NodeId}' already follows epoch {local.LeaderEpoch}, newer than the record's {stored.LeaderEpoch}; retry";
                return null;
            }
        }

        Partition? partition = await OpenLocalAsync(cancellationToken);
        if (partition is null)
        {
            await WithdrawLocalStopAsync(localReplica, replicas, tentativeEpoch);
            return null;
        }

        PartitionReplicationState next = LeaderElection.TakeOffice(stored, _assigned, node.NodeId, partition.Log.LeaderEpochCache.LatestEpoch, IsAlive);
        if (await _records.TryWriteAsync(next, cancellationToken) != RecordWrite.Written)
        {
            _unavailableError = ErrorCode.NotLeaderOrFollower;
            _unavailableReason = $"node '{node.NodeId}' could not take office: {_records.Current}; retry";
            await WithdrawLocalStopAsync(localReplica, replicas, tentativeEpoch);
            if (replicas.Count > 1 && _records.Current is { Leader: { } winner } current && winner != node.NodeId)
            {
                // Another node won: this node's copy follows it again rather than wait for the next check.
                await TolerateUnreachableAsync(node.NodeId, localReplica.FollowAsync(current.LeaderEpoch, winner, cancellationToken));
            }

            return null;
        }

        LeaderTerm term = StartServing(partition, next.ToLeaderAndIsr(), next);
        LogTookOffice(logger, _id.ToString(), node.NodeId, next.LeaderEpoch, string.Join(",", next.Isr), partition.Log.LogEndOffset, partition.HighWatermark,
            timeProvider.GetElapsedTime(_activatedAt).TotalMilliseconds);
        foreach (string replica in next.Replicas)
        {
            if (replica != node.NodeId && IsAlive(replica))
            {
                _ = ((ILeaderTermHost)this).StartFollowerAsync(replica, next.LeaderEpoch);
            }
        }

        return term;
    }

    /// <summary>The election failed after the local copy stopped following for it: the copy's fence goes back.</summary>
    private Task WithdrawLocalStopAsync(IReplicaGrain localReplica, IReadOnlyList<string> replicas, int tentativeEpoch) =>
        replicas.Count > 1 ? TolerateUnreachableAsync(node.NodeId, localReplica.WithdrawAsync(tentativeEpoch, CancellationToken.None)) : Task.CompletedTask;

    /// <summary>The term ended: timers stop, nothing more is served, and the activation deactivates so the next call is placed afresh.</summary>
    void ILeaderTermHost.SteppedDown(int leaderEpoch, string reason)
    {
        _replicationTimer?.Dispose();
        _replicationTimer = null;
        _retentionTimer?.Dispose();
        _retentionTimer = null;
        _term = null;
        _unavailableError = ErrorCode.NotLeaderOrFollower;
        _unavailableReason = $"node '{node.NodeId}' no longer leads: {reason}; retry";
        LogSteppedDown(logger, _id.ToString(), node.NodeId, leaderEpoch, reason);

        // Deactivation, not migration: a migration waits until the target silo has activated the grain,
        // holding every call meanwhile, and when that silo is killed mid-way (the new leader's node, in a
        // failover right after a hand-over) the partition stalled.
        this.DeactivateOnIdle();
    }

    /// <summary>The partition changed on another thread (a follower fetch served by the node's replica manager): a message to itself acts in its own turn.</summary>
    void ILeaderTermHost.NotifyReplicationChanged() =>
        GrainFactory.GetGrain<IPartitionLeaderGrain>(this.GetPrimaryKeyString()).ReplicationChangedAsync().Ignore();

    public Task ReplicationChangedAsync() => _term?.ReplicationChangedAsync() ?? Task.CompletedTask;

    /// <summary>Tells a follower replica to fetch from this leader; a node that cannot be reached is retried by its own node's check.</summary>
    Task ILeaderTermHost.StartFollowerAsync(string replica, int leaderEpoch) =>
        TolerateUnreachableAsync(replica, GrainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(_id, replica)).FollowAsync(leaderEpoch, node.NodeId));

    Task ILeaderTermHost.DeleteReplicaAsync(string replica, int leaderEpoch)
    {
        if (replica != node.NodeId)
        {
            return TolerateUnreachableAsync(replica, GrainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(_id, replica)).DeleteAsync(leaderEpoch));
        }

        logs.Delete(_id);
        return Task.CompletedTask;
    }

    void ILeaderTermHost.ReportStorageFailure(Partition partition, string reason) => logs.ReportFailed(_id, partition, reason);

    private void StartReplicationTimer()
    {
        TimeSpan interval = options.Value.ReplicationCheckInterval;
        _replicationTimer ??= this.RegisterGrainTimer(
            static (grain, _) => grain._term?.CheckAsync() ?? Task.CompletedTask,
            this,
            new GrainTimerCreationOptions(interval, interval) { KeepAlive = true, Interleave = true });
    }

    private async Task TolerateUnreachableAsync(string replica, Task call)
    {
        try
        {
            await call;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException or OperationCanceledException)
        {
            LogFollowerUnreachable(logger, _id.ToString(), replica, ex.Message);
        }
    }

    /// <summary>
    /// This activation is not on the partition's node: serve nothing, say where the partition lives, and
    /// move to that node as soon as it is active. Moving is Orleans migration, not deactivation: the
    /// directory entry passes to the new activation atomically and queued calls are forwarded there, so
    /// callers holding this silo's address in their caches are redirected. (A plain deactivation leaves
    /// no directory entry, and a caller's stale cache would just create a new stand-in here.)
    /// </summary>
    private void BecomeStandIn(string owner)
    {
        bool first = _standInFor is null;
        _standInFor = owner;
        _standInTimer ??= this.RegisterGrainTimer(
            static (grain, _) =>
            {
                grain.MoveToOwnerIfActive();
                return Task.CompletedTask;
            },
            this,
            new GrainTimerCreationOptions(StandInCheckInterval, StandInCheckInterval) { KeepAlive = false, Interleave = false });
        bool ownerActive = MoveToOwnerIfActive();
        if (!ownerActive)
        {
            _unavailableError = ErrorCode.LeaderNotAvailable;
            _unavailableReason = $"{_id} lives on node '{owner}', which is not active; it serves again when that node returns";
        }

        if (first)
        {
            LogStandIn(logger, _id.ToString(), owner, ownerActive);
        }
    }

    /// <summary>
    /// When the owner is active, answers NotLeaderOrFollower (retriable) and migrates: placement puts the
    /// next activation on the owner, which opens the log.
    /// </summary>
    private bool MoveToOwnerIfActive()
    {
        if (_standInFor is not { } owner || !clusterNodes.IsActive(owner))
        {
            return false;
        }

        _unavailableError = ErrorCode.NotLeaderOrFollower;
        _unavailableReason = $"{_id} is led by node '{owner}', not by node '{node.NodeId}' where this call arrived; retry";
        this.MigrateOnIdle();
        return true;
    }
}
