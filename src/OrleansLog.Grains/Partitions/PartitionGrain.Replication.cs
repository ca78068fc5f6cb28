using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansLog.Grains.Replication;

namespace OrleansLog.Grains.Partitions;

/// <summary>The leader grain's side of replication: follower calls, persisting ISR changes, the periodic check, hand-over.</summary>
internal sealed partial class PartitionGrain
{
    /// <summary>Serialises writes of the replication record (ISR changes, reassignment steps, hand-over).</summary>
    private readonly SemaphoreSlim _recordLock = new(1, 1);

    private IGrainTimer? _replicationTimer;
    private DateTimeOffset? _preferredInSyncSince;

    public async Task<ReplicaFetchResult> ReplicaFetchAsync(ReplicaFetchRequest request, CancellationToken cancellationToken = default) =>
        (_leading ?? await LeadingAsync(cancellationToken)) is { } partition
            ? await partition.ReplicaFetchAsync(request, cancellationToken)
            : ReplicaFetchResult.Failure(_unavailableError, $"{_id}: {_unavailableReason}");

    public async Task<EpochEndOffsetResult> OffsetForLeaderEpochAsync(string nodeId, int currentLeaderEpoch, int requestedEpoch, CancellationToken cancellationToken = default) =>
        (_leading ?? await LeadingAsync(cancellationToken)) is { } partition
            ? partition.OffsetForLeaderEpoch(nodeId, currentLeaderEpoch, requestedEpoch)
            : new EpochEndOffsetResult(_unavailableError, $"{_id}: {_unavailableReason}", -1, -1, -1);

    /// <summary>Persists an ISR change with the record's ETag, then lets it take effect (Kafka AlterPartition).</summary>
    private async Task PersistIsrAsync(IsrProposal proposal)
    {
        await _recordLock.WaitAsync();
        try
        {
            if (_leading is not { } partition || !ReferenceEquals(partition.Replication?.PendingIsrProposal, proposal))
            {
                return;
            }

            if (_stored is null)
            {
                partition.AbortIsr(proposal);
                return;
            }

            PartitionReplicationState next = ReplicationRecordChanges.WithIsr(_stored, proposal.Isr);
            switch (await TryWriteRecordAsync(next, CancellationToken.None))
            {
                case RecordWrite.Written:
                    break;

                case RecordWrite.Unknown:
                    // The write may have landed: the proposal stays pending (the HW keeps counting the larger
                    // ISR, KIP-497), and the replication timer retries; that retry's conflict tells the outcome.
                    return;

                default:
                    PartitionReplicationState current = replicationState.State;
                    if (_leading is null || !ReplicationRecordChanges.IsOwnIsrWrite(current, node.NodeId, partition.LeaderEpoch, proposal.Isr))
                    {
                        partition.AbortIsr(proposal);
                        return;
                    }

                    // An earlier attempt of this very change landed; only its answer was lost.
                    _stored = current;
                    next = current;
                    break;
            }

            if (partition.CommitIsr(proposal, next.PartitionEpoch))
            {
                LogIsrChanged(logger, _id.ToString(), partition.LeaderEpoch, string.Join(",", proposal.Isr), next.PartitionEpoch);
            }
        }
        catch (Exception ex)
        {
            // A proposal left pending would freeze the ISR for good: nothing else is proposed meanwhile.
            LogIsrChangeFailed(logger, ex, _id.ToString(), string.Join(",", proposal.Isr));
            _leading?.AbortIsr(proposal);
        }
        finally
        {
            _recordLock.Release();
        }
    }

    private void StartReplicationTimer()
    {
        if (_replicationTimer is not null)
        {
            return;
        }

        TimeSpan interval = options.Value.ReplicationCheckInterval;
        _replicationTimer = this.RegisterGrainTimer(
            static (grain, _) => grain.CheckReplicationAsync(),
            this,
            new GrainTimerCreationOptions(interval, interval) { KeepAlive = true, Interleave = true });
    }

    /// <summary>
    /// The leader's periodic duties (replicated partitions only): ISR shrink by lag and by dead nodes, the
    /// high-watermark checkpoint, reassignment progress and preferred-leader hand-over. Follower liveness is
    /// not among them: each node keeps its own replicas following (<see cref="Hosting.LocalReplicaSupervisor"/>).
    /// </summary>
    private async Task CheckReplicationAsync()
    {
        if (_leading is not { } partition)
        {
            return;
        }

        if (partition.Role != PartitionRole.Leader)
        {
            // Deposed by a follower's newer epoch, or made a follower of a newer leader meanwhile.
            StepDown(ErrorCode.NotLeaderOrFollower, _deposedReason ?? "this node's copy follows a newer leader");
            return;
        }

        if (partition.Log.IsFailed)
        {
            // Found by the commit scheduler or a follower's fetch, with no producer or consumer call to notice it.
            await LeaveAfterStorageFailureAsync(partition, "the log failed (a write or fsync error); see the log's error");
            return;
        }

        partition.Tick(IsAlive);
        if (partition.Replication?.PendingIsrProposal is { } proposal)
        {
            // Normally persisted on the partition's notification; this catches one that got lost.
            await PersistIsrAsync(proposal);
        }

        await AdvanceReassignmentAsync();
        await HandOverToPreferredLeaderAsync(timeProvider.GetUtcNow());
    }

    /// <summary>Tells a follower replica to fetch from this leader; a node that cannot be reached is retried by its own node's check.</summary>
    private Task StartFollowerAsync(string replica) =>
        _leading is { } partition
            ? TolerateUnreachableAsync(replica, GrainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(_id, replica)).FollowAsync(partition.LeaderEpoch, node.NodeId))
            : Task.CompletedTask;

    /// <summary>
    /// Kafka's auto.leader.rebalance: once the preferred replica (the first of the replica set) has been in
    /// sync for <see cref="Hosting.OrleansLogOptions.PreferredLeaderDelay"/>, this leader hands over, so
    /// leadership spreads over the nodes again after a failover.
    /// </summary>
    private async Task HandOverToPreferredLeaderAsync(DateTimeOffset now)
    {
        if (_leading?.Replication is not { } replication || !options.Value.AutoLeaderRebalance || _stored?.TargetReplicas is not null)
        {
            _preferredInSyncSince = null;
            return;
        }

        string preferred = replication.LeaderAndIsr.Replicas[0];
        if (preferred == node.NodeId || !replication.IsInSync(preferred) || !IsAlive(preferred))
        {
            _preferredInSyncSince = null;
            return;
        }

        _preferredInSyncSince ??= now;
        if (now - _preferredInSyncSince.Value < options.Value.PreferredLeaderDelay)
        {
            return;
        }

        await HandOverAsync(preferred, "the preferred replica is in sync again");
    }

    /// <summary>Writes <paramref name="successor"/> as the designated leader, then steps down so placement moves the partition there.</summary>
    private async Task HandOverAsync(string successor, string reason)
    {
        await _recordLock.WaitAsync();
        try
        {
            if (_leading is null || _stored is null)
            {
                return;
            }

            if (await TryWriteRecordAsync(ReplicationRecordChanges.HandOver(_stored, successor), CancellationToken.None) == RecordWrite.Written)
            {
                StepDown(ErrorCode.NotLeaderOrFollower, $"leadership handed to node '{successor}': {reason}");
            }
        }
        finally
        {
            _recordLock.Release();
        }
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
}
