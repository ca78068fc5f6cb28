using OrleansLog.Grains.Partitions;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// The follower's rules for one partition (Kafka <c>AbstractFetcherThread</c>'s processing of a fetch answer
/// and of a truncation), apart from the fetcher's calls and threads, so the node's
/// <see cref="ReplicaFetcher"/> and the replication simulation run the same code.
/// </summary>
internal static class FollowerRules
{
    /// <summary>
    /// Applies the leader's answer to the fetch at <paramref name="fetchOffset"/>: appends its records, or
    /// starts over at the leader's log start, or cuts a copy that is ahead of the leader back to the leader's
    /// log end; a newer leader epoch and refusals are the caller's to act on.
    /// </summary>
    public static async Task<FollowerAnswer> ApplyFetchAsync(
        FollowedPartition followed, long fetchOffset, ReplicaFetchResult result, CancellationToken cancellationToken)
    {
        Partition copy = followed.Copy;
        switch (result.Error)
        {
            case ErrorCode.None:
                try
                {
                    await copy.AppendFetchedAsync(result, cancellationToken);
                    followed.Failures = 0;
                    return new FollowerAnswer(FollowerAnswerKind.Appended);
                }
                catch (Exception ex) when (ex is CorruptReplicaBatchException or ArgumentException or KafkaStorageException or InvalidOperationException)
                {
                    return new FollowerAnswer(FollowerAnswerKind.AppendFailed, ex);
                }

            case ErrorCode.FencedLeaderEpoch when result.LeaderEpoch > followed.Fence.LatestEpoch:
                return new FollowerAnswer(FollowerAnswerKind.NewerEpoch);

            case ErrorCode.OffsetOutOfRange when result.LogStartOffset > fetchOffset:
                copy.StartOverAt(result.LogStartOffset);
                return new FollowerAnswer(FollowerAnswerKind.StartedOver);

            case ErrorCode.OffsetOutOfRange when result.LogEndOffset >= 0 && fetchOffset > result.LogEndOffset:
                // Only after an unresolved truncation (the leader knew none of this log's epochs, e.g. an
                // unclean election): this log is ahead of the leader, and the leader's log wins.
                copy.TruncateTo(result.LogEndOffset);
                return new FollowerAnswer(FollowerAnswerKind.CutToLeaderEnd);

            default:
                return new FollowerAnswer(FollowerAnswerKind.Refused);
        }
    }

    /// <summary>
    /// Finishes a truncation that started at log end <paramref name="logEndAtStart"/> while following
    /// <paramref name="fence"/>: cuts where <paramref name="decision"/> says and opens the fetch gate for that
    /// epoch. False, changing nothing, when the copy's log moved meanwhile (the decision may be stale).
    /// </summary>
    public static bool CompleteTruncation(FollowedPartition followed, int fence, long logEndAtStart, TruncationDecision decision)
    {
        Partition copy = followed.Copy;
        if (copy.Log.LogEndOffset != logEndAtStart)
        {
            return false;
        }

        if (decision.Outcome == TruncationOutcome.Complete && decision.TruncateToOffset < logEndAtStart)
        {
            copy.TruncateTo(decision.TruncateToOffset);
        }

        followed.Truncation.Completed(fence);
        return true;
    }
}
