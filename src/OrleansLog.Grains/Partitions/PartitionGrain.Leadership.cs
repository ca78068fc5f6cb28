using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Replication;

namespace OrleansLog.Grains.Partitions;

/// <summary>Taking office, standing in, stepping down.</summary>
internal sealed partial class PartitionGrain : ILeaderHost
{
    /// <summary>How often a stand-in checks whether the partition's node is back (membership view, no I/O).</summary>
    private static readonly TimeSpan StandInCheckInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The last replication record this activation wrote or read as leader; null when not leading.</summary>
    private PartitionReplicationState? _stored;
    private bool _electedOnce;

    /// <summary>The node that owns this partition when this activation is a stand-in on another node.</summary>
    private string? _standInFor;
    private IGrainTimer? _standInTimer;

    /// <summary>The partition's replicas as far as this activation knows: the persisted record, else the topic's assignment.</summary>
    private IReadOnlyList<string> CurrentReplicas =>
        _stored?.Replicas ?? (replicationState.State.IsInitialized ? replicationState.State.Replicas : _assigned);

    private bool IsAlive(string nodeId) => nodeId == node.NodeId || clusterNodes.IsActive(nodeId);

    /// <summary>
    /// Becomes the partition's leader if <see cref="LeaderElection"/> picks this node: stops the local
    /// follower, writes a new leader epoch and ISR with the record's ETag (so of two activations only one can
    /// take office), then leads this node's copy. Otherwise stands in for the chosen node, or answers
    /// LeaderNotAvailable when no in-sync replica is alive and unclean election is off.
    /// </summary>
    private async Task<Partition?> TakeOfficeAsync(CancellationToken cancellationToken)
    {
        if (_electedOnce)
        {
            // The activation read the record when it started; a retry must see what others wrote since.
            await replicationState.ReadStateAsync(cancellationToken);
        }

        _electedOnce = true;
        PartitionReplicationState stored = replicationState.State;
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
        if (await TryWriteRecordAsync(next, cancellationToken) != RecordWrite.Written)
        {
            _unavailableError = ErrorCode.NotLeaderOrFollower;
            _unavailableReason = $"node '{node.NodeId}' could not take office: {replicationState.State}; retry";
            await WithdrawLocalStopAsync(localReplica, replicas, tentativeEpoch);
            if (replicas.Count > 1 && replicationState.State is { Leader: { } winner } current && winner != node.NodeId)
            {
                // Another node won: this node's copy follows it again rather than wait for the next check.
                await TolerateUnreachableAsync(node.NodeId, localReplica.FollowAsync(current.LeaderEpoch, winner, cancellationToken));
            }

            return null;
        }

        partition.BecomeLeader(next.ToLeaderAndIsr(), this);
        StartServing(partition);
        if (next.Replicas.Length > 1 || next.TargetReplicas is not null)
        {
            StartReplicationTimer();
        }

        LogTookOffice(logger, _id.ToString(), node.NodeId, next.LeaderEpoch, string.Join(",", next.Isr), partition.Log.LogEndOffset, partition.HighWatermark,
            timeProvider.GetElapsedTime(_activatedAt).TotalMilliseconds);
        foreach (string replica in next.Replicas)
        {
            if (replica != node.NodeId && IsAlive(replica))
            {
                _ = StartFollowerAsync(replica);
            }
        }

        return partition;
    }

    /// <summary>The election failed after the local copy stopped following for it: the copy's fence goes back.</summary>
    private Task WithdrawLocalStopAsync(IReplicaGrain localReplica, IReadOnlyList<string> replicas, int tentativeEpoch) =>
        replicas.Count > 1 ? TolerateUnreachableAsync(node.NodeId, localReplica.WithdrawAsync(tentativeEpoch, CancellationToken.None)) : Task.CompletedTask;

    /// <summary>
    /// Writes <paramref name="next"/> with the record's ETag. <see cref="RecordWrite.Conflict"/> when another
    /// writer got there first (the stored record is then reloaded; if it names another leader or a newer
    /// epoch, this leader steps down); <see cref="RecordWrite.Unknown"/> when the store failed (the write may
    /// have landed; this activation keeps the record it had, so a retry conflicts and reads back what is there).
    /// </summary>
    private async Task<RecordWrite> TryWriteRecordAsync(PartitionReplicationState next, CancellationToken cancellationToken)
    {
        PartitionReplicationState previous = replicationState.State;
        replicationState.State = next;
        try
        {
            await replicationState.WriteStateAsync(cancellationToken);
            _stored = next;
            return RecordWrite.Written;
        }
        catch (InconsistentStateException ex)
        {
            LogRecordConflict(logger, ex, _id.ToString(), next.ToString());
            try
            {
                await replicationState.ReadStateAsync(CancellationToken.None);
            }
            catch (Exception readFailure) when (readFailure is not OperationCanceledException)
            {
                // Unknown who won: stop leading rather than keep acknowledging on a record that may be stale.
                replicationState.State = previous;
                StepDown(ErrorCode.NotLeaderOrFollower, $"the replication record changed and could not be read back: {readFailure.Message}");
                return RecordWrite.Unknown;
            }

            PartitionReplicationState current = replicationState.State;
            if (_leading is { } leading && (current.LeaderEpoch > leading.LeaderEpoch || current.Leader != node.NodeId))
            {
                StepDown(ErrorCode.NotLeaderOrFollower, $"a newer leader took office: {current}");
            }

            return RecordWrite.Conflict;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordWriteFailed(logger, ex, _id.ToString(), next.ToString());
            replicationState.State = previous;
            return RecordWrite.Unknown;
        }
    }

    /// <summary>
    /// Called by this activation's <see cref="Partition"/> from whichever thread changed it (a follower fetch
    /// is served by the node's replica manager): the grain is told by a message to itself, so it acts in its
    /// own turn.
    /// </summary>
    void ILeaderHost.PersistIsr(IsrProposal proposal) => NotifySelf();

    void ILeaderHost.StepDown(string reason)
    {
        _deposedReason = reason;
        NotifySelf();
    }

    private volatile string? _deposedReason;

    private void NotifySelf() =>
        GrainFactory.GetGrain<IPartitionLeaderGrain>(this.GetPrimaryKeyString()).ReplicationChangedAsync().Ignore();

    /// <summary>Acts on what the partition reported: steps down when deposed, else persists a pending ISR change.</summary>
    public Task ReplicationChangedAsync()
    {
        if (_leading is not { } partition)
        {
            return Task.CompletedTask;
        }

        if (partition.Role != PartitionRole.Leader)
        {
            StepDown(ErrorCode.NotLeaderOrFollower, _deposedReason ?? "this node's copy no longer leads");
            return Task.CompletedTask;
        }

        return partition.Replication?.PendingIsrProposal is { } proposal ? PersistIsrAsync(proposal) : Task.CompletedTask;
    }

    /// <summary>
    /// Stops leading (fenced, resigned, or handing over): waiting acks=all appends fail with
    /// <paramref name="error"/>, nothing more is served, and the activation deactivates, so the next call
    /// is placed afresh and reaches the new leader. Deactivation, not migration: a migration waits until
    /// the target silo has activated the grain, holding every call meanwhile, and when that silo is killed
    /// mid-way (the new leader's node, in a failover right after a hand-over) the partition stalled.
    /// </summary>
    private void StepDown(ErrorCode error, string reason)
    {
        if (_leading is not { } partition)
        {
            return;
        }

        int epoch = partition.LeaderEpoch;
        partition.Resign(error, $"{_id}: {reason}");
        _replicationTimer?.Dispose();
        _replicationTimer = null;
        _retentionTimer?.Dispose();
        _retentionTimer = null;
        _leading = null;
        _stored = null;
        _unavailableError = ErrorCode.NotLeaderOrFollower;
        _unavailableReason = $"node '{node.NodeId}' no longer leads: {reason}; retry";
        LogSteppedDown(logger, _id.ToString(), node.NodeId, epoch, reason);
        this.DeactivateOnIdle();
    }

    /// <summary>
    /// The leading copy's log failed (ENOSPC, EIO; Kafka takes the log directory offline and the controller
    /// moves leadership to another in-sync replica): the record names the first other live ISR member leader
    /// and drops this node from the ISR, this activation steps down, and the failed log is closed, so the
    /// next open on this node — as a follower, once the disk is usable again — recovers it from disk. With no
    /// other in-sync replica alive the record stays, and the partition comes back here when its log reopens.
    /// </summary>
    private async Task LeaveAfterStorageFailureAsync(Partition partition, string reason)
    {
        if (!ReferenceEquals(_leading, partition) || !partition.Log.IsFailed)
        {
            return;
        }

        await _recordLock.WaitAsync();
        try
        {
            if (ReferenceEquals(_leading, partition) && _stored is { Replicas.Length: > 1 } stored
                && ReplicationRecordChanges.LeaveAfterStorageFailure(stored, node.NodeId, IsAlive) is { } next
                && await TryWriteRecordAsync(next, CancellationToken.None) == RecordWrite.Written)
            {
                LogLeftAfterStorageFailure(logger, _id.ToString(), node.NodeId, next.Leader!);
            }
        }
        finally
        {
            _recordLock.Release();
        }

        StepDown(ErrorCode.KafkaStorageError, $"its log on node '{node.NodeId}' failed: {reason}");
        logs.ReportFailed(_id, partition, reason);
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
