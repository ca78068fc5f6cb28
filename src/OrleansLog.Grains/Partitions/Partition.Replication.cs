using OrleansLog.Grains.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>The leader's side of replication: follower fetches, epoch end offsets, ISR changes, the periodic check.</summary>
internal sealed partial class Partition
{
    /// <summary>
    /// A follower's fetch (Kafka's replica fetch), long-polling: as <see cref="ReplicaFetch"/>, waiting up to
    /// the request's wait for records past the fetch offset. The caller owns the records.
    /// </summary>
    public async Task<ReplicaFetchResult> ReplicaFetchAsync(ReplicaFetchRequest request, CancellationToken cancellationToken)
    {
        long deadline = DeadlineAfter(TimeSpan.FromMilliseconds(Math.Max(0, request.MaxWaitMs)));
        while (true)
        {
            Task dataArrived = DataArrived;
            ReplicaFetchResult result = ReplicaFetch(request.NodeId, request.LeaderEpoch, request.FetchOffset, Math.Max(1, request.MaxBytes));
            if (result.Error != ErrorCode.None || result.Records.Length > 0 || _time.GetTimestamp() >= deadline || cancellationToken.IsCancellationRequested)
            {
                return result;
            }

            result.Records.Dispose();
            await WaitForDataAsync(dataArrived, Remaining(deadline), cancellationToken);
        }
    }

    /// <summary>
    /// One follower fetch, answered at once (the node's replica manager waits across all of a follower's
    /// partitions): the fetch offset is the follower's log end, which may move the high watermark and the
    /// ISR; the answer carries everything from there up to the leader's log end (not only below the high
    /// watermark), or no records when it has nothing newer or <paramref name="maxBytes"/> is 0 (the
    /// fetch is then only an acknowledgement). The caller owns the records.
    /// </summary>
    public ReplicaFetchResult ReplicaFetch(string nodeId, int leaderEpoch, long fetchOffset, int maxBytes)
    {
        lock (_lock)
        {
            if (_replication is not { } replication)
            {
                (ErrorCode error, string message) = NotLeading() ?? (ErrorCode.NotLeaderOrFollower, $"{Id}: not leading");
                return ReplicaFetchResult.Failure(error, message, LeaderEpoch);
            }

            if (Fenced(nodeId, leaderEpoch) is { } refusal)
            {
                return ReplicaFetchResult.Failure(refusal.Error, refusal.Message, LeaderEpoch, Log.LogStartOffset);
            }

            if (fetchOffset < Log.LogStartOffset || fetchOffset > Log.LogEndOffset)
            {
                return new ReplicaFetchResult
                {
                    Error = ErrorCode.OffsetOutOfRange,
                    Message = $"{Id}: follower {nodeId} fetches at offset {fetchOffset}, but the leader's log holds [{Log.LogStartOffset}, {Log.LogEndOffset})",
                    LeaderEpoch = LeaderEpoch,
                    HighWatermark = HighWatermark,
                    LogStartOffset = Log.LogStartOffset,
                    LogEndOffset = Log.LogEndOffset,
                };
            }

            ReplicationUpdate update = replication.OnFollowerFetch(nodeId, fetchOffset);
            if (update.Error != ErrorCode.None)
            {
                return ReplicaFetchResult.Failure(
                    update.Error, $"{Id}: node '{nodeId}' is not a replica [{string.Join(",", replication.LeaderAndIsr.Replicas)}]", LeaderEpoch, Log.LogStartOffset);
            }

            Apply(update);
            var result = new ReplicaFetchResult
            {
                Error = ErrorCode.None,
                LeaderEpoch = LeaderEpoch,
                HighWatermark = HighWatermark,
                LogStartOffset = Log.LogStartOffset,
                LogEndOffset = Log.LogEndOffset,
            };
            if (Log.LogEndOffset <= fetchOffset || maxBytes <= 0)
            {
                return result;
            }

            // Up to the log end, not the high watermark: followers copy what is not yet committed too.
            if (!TryReadBatches(fetchOffset, maxBytes, Log.LogEndOffset, out _, out var records, out ErrorCode readError, out string? readMessage))
            {
                return ReplicaFetchResult.Failure(readError, readMessage!, LeaderEpoch, Log.LogStartOffset);
            }

            result.Records = records;
            return result;
        }
    }

    /// <summary>
    /// Without the lock, for a follower fetch session: true when this copy still leads in
    /// <paramref name="leaderEpoch"/>, ends at <paramref name="fetchOffset"/>, and its high watermark and log
    /// start are what the follower was told — a fetch would bring it nothing. A change racing with this
    /// read signals the node's data-arrived event after it, so a waiting fetch looks again.
    /// </summary>
    public bool HasNothingNewFor(int leaderEpoch, long fetchOffset, long highWatermark, long logStartOffset) =>
        Role == PartitionRole.Leader && LeaderEpoch == leaderEpoch && Log.LogEndOffset == fetchOffset
        && HighWatermark == highWatermark && Log.LogStartOffset == logStartOffset;

    /// <summary>
    /// Kafka OffsetForLeaderEpoch as a follower asks it before fetching from a new leader: the end offset of
    /// the largest epoch at or below <paramref name="requestedEpoch"/> in this leader's log.
    /// </summary>
    public EpochEndOffsetResult OffsetForLeaderEpoch(string nodeId, int currentLeaderEpoch, int requestedEpoch)
    {
        lock (_lock)
        {
            return OffsetForLeaderEpochCore(nodeId, currentLeaderEpoch, requestedEpoch);
        }
    }

    private EpochEndOffsetResult OffsetForLeaderEpochCore(string nodeId, int currentLeaderEpoch, int requestedEpoch)
    {
        if (_replication is not { } replication)
        {
            (ErrorCode error, string message) = NotLeading() ?? (ErrorCode.NotLeaderOrFollower, $"{Id}: not leading");
            return new EpochEndOffsetResult(error, message, LeaderEpoch, -1, -1);
        }

        if (Fenced(nodeId, currentLeaderEpoch) is { } refusal)
        {
            return new EpochEndOffsetResult(refusal.Error, refusal.Message, LeaderEpoch, -1, -1);
        }

        // Until this leader appends, its own epoch is not in the log's cache; Kafka records it at the log end
        // when a leader takes office, so answer as if that entry were there.
        int latest = Log.LeaderEpochCache.LatestEpoch;
        (int epoch, long endOffset) = requestedEpoch >= LeaderEpoch
            ? (LeaderEpoch, Log.LogEndOffset)
            : latest < LeaderEpoch && requestedEpoch >= latest
                ? (latest == LeaderEpochCache.UndefinedEpoch ? requestedEpoch : latest, replication.LeaderEpochStartOffset)
                : Log.LeaderEpochCache.EndOffsetFor(requestedEpoch);
        return new EpochEndOffsetResult(ErrorCode.None, null, LeaderEpoch, epoch, endOffset);
    }

    /// <summary>
    /// The leader's periodic duties: ISR shrink by lag, and at once for members <paramref name="isAlive"/>
    /// says are dead (their node left the cluster); the high-watermark checkpoint.
    /// </summary>
    public void Tick(Func<string, bool> isAlive)
    {
        ArgumentNullException.ThrowIfNull(isAlive);
        lock (_lock)
        {
            if (_replication is not { } replication)
            {
                return;
            }

            Apply(replication.Tick());
            Apply(replication.RemoveFromIsr(member => !isAlive(member)));
            CheckpointHighWatermarkIfDue();
        }
    }

    /// <summary>The host persisted <paramref name="proposal"/> as <paramref name="partitionEpoch"/>: the ISR changes now. False when it is no longer the pending one.</summary>
    public bool CommitIsr(IsrProposal proposal, long partitionEpoch)
    {
        lock (_lock)
        {
            if (_replication is not { } replication || !ReferenceEquals(replication.PendingIsrProposal, proposal))
            {
                return false;
            }

            Apply(replication.CommitIsr(partitionEpoch));
            return true;
        }
    }

    /// <summary>The host could not persist <paramref name="proposal"/>; the next fetch or tick may propose again.</summary>
    public void AbortIsr(IsrProposal proposal)
    {
        lock (_lock)
        {
            if (_replication is { } replication && ReferenceEquals(replication.PendingIsrProposal, proposal))
            {
                replication.AbortIsrProposal();
            }
        }
    }

    /// <summary>A reassignment changed the replica set (persisted as <paramref name="partitionEpoch"/>); any pending ISR proposal is dropped first.</summary>
    public void ChangeReplicas(IReadOnlyList<string> replicas, IReadOnlyList<string> isr, long partitionEpoch)
    {
        lock (_lock)
        {
            LeaderReplicationState replication = _replication
                ?? throw new InvalidOperationException($"{Id}: only a leader changes its replica set.");
            replication.AbortIsrProposal();
            Apply(replication.ChangeReplicas(replicas, isr, partitionEpoch));
        }
    }

    /// <summary>
    /// Kafka's epoch check on replica requests: an older epoch than this leader's is FencedLeaderEpoch (the
    /// follower must catch up on leadership); a newer one means this leader was deposed without noticing —
    /// it resigns at once, so it can acknowledge nothing more, and tells its host to step down.
    /// </summary>
    private (ErrorCode Error, string Message)? Fenced(string nodeId, int followerEpoch)
    {
        if (followerEpoch < LeaderEpoch)
        {
            return (ErrorCode.FencedLeaderEpoch, $"{Id}: follower {nodeId} knows leader epoch {followerEpoch}, the leader is in epoch {LeaderEpoch}");
        }

        if (followerEpoch > LeaderEpoch)
        {
            string reason = $"follower {nodeId} already knows leader epoch {followerEpoch}, newer than this leader's {LeaderEpoch}";
            ILeaderHost? host = _host;
            Resign(ErrorCode.NotLeaderOrFollower, reason);
            host?.StepDown(reason);
            return (ErrorCode.NotLeaderOrFollower, $"{Id}: {reason}");
        }

        return null;
    }

    /// <summary>Acts on what the replication state changed: wakes fetches when the HW moved, hands an ISR proposal to the host.</summary>
    private void Apply(ReplicationUpdate update)
    {
        if (update.Completed.Count > 0 || update.HighWatermark > _highWatermark)
        {
            _highWatermark = Math.Max(_highWatermark, update.HighWatermark);
            SignalDataArrived();
        }

        if (update.IsrProposal is { } proposal)
        {
            _host?.PersistIsr(proposal);
        }
    }
}
