using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansLog.Grains.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>The leader's side of replication: follower fetches, high watermark, acks=all, ISR changes.</summary>
internal sealed partial class PartitionGrain
{
    /// <summary>acks=all appends waiting for the in-sync replicas, by last offset.</summary>
    private readonly Dictionary<long, TaskCompletionSource<ErrorCode>> _replicationWaiters = [];

    /// <summary>Serialises writes of the replication record (ISR changes, reassignment steps, hand-over).</summary>
    private readonly SemaphoreSlim _recordLock = new(1, 1);

    private IGrainTimer? _replicationTimer;
    private DateTimeOffset? _preferredInSyncSince;

    public async Task<ReplicaFetchResult> ReplicaFetchAsync(ReplicaFetchRequest request, CancellationToken cancellationToken = default)
    {
        PartitionLog? log = _log ?? await GetLogAsync(cancellationToken);
        if (log is null || _replication is not { } replication)
        {
            return ReplicaFetchResult.Failure(
                log is null ? _unavailableError : ErrorCode.NotLeaderOrFollower,
                $"{_partition}: {(log is null ? _unavailableReason : "this partition is not replicated")}");
        }

        if (Fenced(request.NodeId, request.LeaderEpoch) is { } refusal)
        {
            return ReplicaFetchResult.Failure(refusal.Error, refusal.Message, _leaderEpoch, log.LogStartOffset);
        }

        if (request.FetchOffset < log.LogStartOffset || request.FetchOffset > log.LogEndOffset)
        {
            return new ReplicaFetchResult
            {
                Error = ErrorCode.OffsetOutOfRange,
                Message = $"{_partition}: follower {request.NodeId} fetches at offset {request.FetchOffset}, but the leader's log holds [{log.LogStartOffset}, {log.LogEndOffset})",
                LeaderEpoch = _leaderEpoch,
                HighWatermark = _highWatermark,
                LogStartOffset = log.LogStartOffset,
                LogEndOffset = log.LogEndOffset,
            };
        }

        ReplicationUpdate update = replication.OnFollowerFetch(request.NodeId, request.FetchOffset);
        if (update.Error != ErrorCode.None)
        {
            return ReplicaFetchResult.Failure(
                update.Error, $"{_partition}: node '{request.NodeId}' is not a replica [{string.Join(",", replication.LeaderAndIsr.Replicas)}]", _leaderEpoch, log.LogStartOffset);
        }

        ApplyUpdate(update);
        long deadline = timeProvider.GetTimestamp() + (long)(Math.Max(0, request.MaxWaitMs) * (timeProvider.TimestampFrequency / 1000.0));
        while (_log == log && _replication == replication && log.LogEndOffset <= request.FetchOffset && !cancellationToken.IsCancellationRequested)
        {
            long remainingTicks = deadline - timeProvider.GetTimestamp();
            if (remainingTicks <= 0)
            {
                break;
            }

            await WaitForDataAsync(TimeSpan.FromSeconds(remainingTicks / (double)timeProvider.TimestampFrequency), cancellationToken);
        }

        if (_log != log || _replication != replication)
        {
            return ReplicaFetchResult.Failure(_unavailableError, $"{_partition}: {_unavailableReason}", _leaderEpoch);
        }

        return ReadForFollower(log, request);
    }

    public async Task<EpochEndOffsetResult> OffsetForLeaderEpochAsync(string nodeId, int currentLeaderEpoch, int requestedEpoch, CancellationToken cancellationToken = default)
    {
        PartitionLog? log = _log ?? await GetLogAsync(cancellationToken);
        if (log is null || _replication is not { } replication)
        {
            return new EpochEndOffsetResult(log is null ? _unavailableError : ErrorCode.NotLeaderOrFollower, $"{_partition}: {_unavailableReason}", _leaderEpoch, -1, -1);
        }

        if (Fenced(nodeId, currentLeaderEpoch) is { } refusal)
        {
            return new EpochEndOffsetResult(refusal.Error, refusal.Message, _leaderEpoch, -1, -1);
        }

        // Until this leader appends, its own epoch is not in the log's cache; Kafka records it at the log end
        // when a leader takes office, so answer as if that entry were there.
        int latest = log.LeaderEpochCache.LatestEpoch;
        (int epoch, long endOffset) = requestedEpoch >= _leaderEpoch
            ? (_leaderEpoch, log.LogEndOffset)
            : latest < _leaderEpoch && requestedEpoch >= latest
                ? (latest == LeaderEpochCache.UndefinedEpoch ? requestedEpoch : latest, replication.LeaderEpochStartOffset)
                : log.LeaderEpochCache.EndOffsetFor(requestedEpoch);
        return new EpochEndOffsetResult(ErrorCode.None, null, _leaderEpoch, epoch, endOffset);
    }

    /// <summary>
    /// Kafka's epoch check on replica requests: an older epoch than this leader's is FencedLeaderEpoch (the
    /// follower must catch up on leadership); a newer one means this leader was deposed without noticing —
    /// it steps down at once, so it can acknowledge nothing more.
    /// </summary>
    private (ErrorCode Error, string Message)? Fenced(string nodeId, int followerEpoch)
    {
        if (followerEpoch < _leaderEpoch)
        {
            return (ErrorCode.FencedLeaderEpoch, $"{_partition}: follower {nodeId} knows leader epoch {followerEpoch}, the leader is in epoch {_leaderEpoch}");
        }

        if (followerEpoch > _leaderEpoch)
        {
            string reason = $"follower {nodeId} already knows leader epoch {followerEpoch}, newer than this leader's {_leaderEpoch}";
            StepDown(ErrorCode.NotLeaderOrFollower, reason);
            return (ErrorCode.NotLeaderOrFollower, $"{_partition}: {reason}");
        }

        return null;
    }

    private ReplicaFetchResult ReadForFollower(PartitionLog log, ReplicaFetchRequest request)
    {
        // Up to the log end, not the high watermark: followers copy what is not yet committed too.
        if (!TryReadBatches(log, request.FetchOffset, Math.Max(1, request.MaxBytes), log.LogEndOffset, out _, out var records, out ErrorCode error, out string? message))
        {
            return ReplicaFetchResult.Failure(error, message!, _leaderEpoch, log.LogStartOffset);
        }

        return new ReplicaFetchResult
        {
            Error = ErrorCode.None,
            LeaderEpoch = _leaderEpoch,
            HighWatermark = _highWatermark,
            LogStartOffset = log.LogStartOffset,
            LogEndOffset = log.LogEndOffset,
            Records = records,
        };
    }

    /// <summary>Acts on what the replication state changed: HW, completed acks=all appends, an ISR proposal.</summary>
    private void ApplyUpdate(ReplicationUpdate update)
    {
        if (update.HighWatermark > _highWatermark)
        {
            _highWatermark = update.HighWatermark;
            SignalDataArrived();
        }

        foreach (AppendCompletion completion in update.Completed)
        {
            CompleteWaiter(completion);
        }

        if (update.IsrProposal is { } proposal)
        {
            _ = PersistIsrAsync(proposal);
        }
    }

    private void CompleteWaiter(AppendCompletion completion)
    {
        if (_replicationWaiters.Remove(completion.LastOffset, out TaskCompletionSource<ErrorCode>? waiter))
        {
            waiter.TrySetResult(completion.Error);
        }
    }

    /// <summary>Persists an ISR change with the record's ETag, then lets it take effect (Kafka AlterPartition).</summary>
    private async Task PersistIsrAsync(IsrProposal proposal)
    {
        await _recordLock.WaitAsync();
        try
        {
            if (_replication is not { } replication || !ReferenceEquals(replication.PendingIsrProposal, proposal))
            {
                return;
            }

            if (_stored is null)
            {
                replication.AbortIsrProposal();
                return;
            }

            PartitionReplicationState next = _stored.Copy();
            next.Isr = [.. proposal.Isr];
            next.PartitionEpoch++;
            if (!await TryWriteRecordAsync(next, CancellationToken.None))
            {
                _replication?.AbortIsrProposal();
                return;
            }

            if (_replication == replication)
            {
                LogIsrChanged(logger, _partition.ToString(), _leaderEpoch, string.Join(",", proposal.Isr), next.PartitionEpoch);
                ApplyUpdate(replication.CommitIsr(next.PartitionEpoch));
            }
        }
        catch (Exception ex)
        {
            // A proposal left pending would freeze the ISR for good: nothing else is proposed meanwhile.
            LogIsrChangeFailed(logger, ex, _partition.ToString(), string.Join(",", proposal.Isr));
            if (_replication is { } current && ReferenceEquals(current.PendingIsrProposal, proposal))
            {
                current.AbortIsrProposal();
            }
        }
        finally
        {
            _recordLock.Release();
        }
    }

    private void StartReplicationTimer()
    {
        TimeSpan interval = options.Value.ReplicationCheckInterval;
        _replicationTimer?.Dispose();
        _replicationTimer = this.RegisterGrainTimer(
            static (grain, _) => grain.CheckReplicationAsync(),
            this,
            new GrainTimerCreationOptions(interval, interval) { KeepAlive = true, Interleave = true });
    }

    /// <summary>
    /// The leader's periodic duties: ISR shrink by lag and by dead nodes, restarting followers that stopped
    /// fetching (their node came back), reassignment progress and preferred-leader hand-over.
    /// </summary>
    private async Task CheckReplicationAsync()
    {
        if (_replication is not { } replication)
        {
            return;
        }

        ApplyUpdate(replication.Tick());
        ApplyUpdate(replication.RemoveFromIsr(member => !IsAlive(member)));
        DateTimeOffset now = timeProvider.GetUtcNow();
        TimeSpan stalled = options.Value.ReplicaFetchWait * 3 + TimeSpan.FromSeconds(1);
        foreach (string replica in replication.LeaderAndIsr.Replicas)
        {
            if (replica != node.NodeId && IsAlive(replica) && now - replication.GetFollower(replica).LastFetchTime is var silence && silence > stalled)
            {
                LogRestartingFollower(logger, _partition.ToString(), replica, silence.TotalSeconds, _leaderEpoch);
                _ = StartFollowerAsync(replica);
            }
        }

        CheckpointHighWatermarkIfDue();
        await AdvanceReassignmentAsync();
        await HandOverToPreferredLeaderAsync(now);
    }

    /// <summary>Kafka's replica.high.watermark.checkpoint.interval.ms: the leader's HW goes to disk every 5 s.</summary>
    private static readonly TimeSpan HighWatermarkCheckpointInterval = TimeSpan.FromSeconds(5);

    private long _lastHighWatermarkCheckpoint;

    private void CheckpointHighWatermarkIfDue()
    {
        if (_log is not { } log || timeProvider.GetElapsedTime(_lastHighWatermarkCheckpoint) < HighWatermarkCheckpointInterval)
        {
            return;
        }

        _lastHighWatermarkCheckpoint = timeProvider.GetTimestamp();
        try
        {
            log.CheckpointHighWatermark(_highWatermark);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogHighWatermarkCheckpointFailed(logger, _partition.ToString(), ex.Message);
        }
    }

    /// <summary>Tells a follower replica to fetch from this leader; a node that cannot be reached is retried by the next check.</summary>
    private Task StartFollowerAsync(string replica) =>
        TolerateUnreachableAsync(replica, GrainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(_partition, replica)).FollowAsync(_leaderEpoch));

    /// <summary>
    /// Kafka's auto.leader.rebalance: once the preferred replica (the first of the replica set) has been in
    /// sync for <see cref="Hosting.OrleansLogOptions.PreferredLeaderDelay"/>, this leader hands over, so
    /// leadership spreads over the nodes again after a failover.
    /// </summary>
    private async Task HandOverToPreferredLeaderAsync(DateTimeOffset now)
    {
        if (_replication is not { } replication || !options.Value.AutoLeaderRebalance || _stored?.TargetReplicas is not null)
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
            if (_replication is null || _stored is null)
            {
                return;
            }

            PartitionReplicationState next = _stored.Copy();
            next.Leader = successor;
            next.PartitionEpoch++;
            if (await TryWriteRecordAsync(next, CancellationToken.None))
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
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogFollowerUnreachable(logger, _partition.ToString(), replica, ex.Message);
        }
    }
}
