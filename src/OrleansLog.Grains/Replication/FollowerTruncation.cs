using OrleansLog.Storage;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// Where a follower must cut its log before fetching from a new leader (Kafka
/// <c>AbstractFetcherThread.getOffsetTruncationState</c>, KIP-101 and KIP-279). Pure functions over the
/// follower's leader-epoch entries and the leader's OffsetForLeaderEpoch answers; never the high watermark,
/// which lags the leader by one fetch and so can keep divergent records or cut acknowledged ones.
/// <para><b>One step:</b> the follower asks for the end offset of its latest epoch E. The leader answers
/// (L, endOffset), L being the largest epoch the leader has at or below E. If the follower also has L, both
/// logs agree below min(the follower's end of L, endOffset): truncate there, done. If it does not (it has
/// some epochs the leader never saw, KIP-279), it truncates to the end of its largest epoch below L and
/// asks again with its new latest epoch. Each such step removes at least one epoch entry, so the loop ends.</para>
/// <para>Every batch carries its leader epoch, so a non-empty log always has an epoch entry; an empty cache
/// means an empty log and nothing to truncate.</para>
/// </summary>
public static class FollowerTruncation
{
    /// <summary>The epoch to send in OffsetForLeaderEpoch: the follower's latest, or -1 when it has none.</summary>
    public static int RequestEpoch(IReadOnlyList<EpochEntry> followerEpochs) =>
        followerEpochs.Count == 0 ? LeaderEpochCache.UndefinedEpoch : followerEpochs[^1].Epoch;

    /// <summary>
    /// Decides one step from the leader's <paramref name="leaderAnswer"/> to OffsetForLeaderEpoch(<paramref name="requestedEpoch"/>).
    /// </summary>
    /// <param name="followerEpochs">The follower's <c>LeaderEpochCache.Entries</c>.</param>
    /// <param name="followerLogEndOffset">The follower's <c>PartitionLog.LogEndOffset</c>.</param>
    /// <param name="requestedEpoch">The epoch that was asked about (<see cref="RequestEpoch"/>).</param>
    /// <param name="leaderAnswer">The leader's <c>LeaderEpochCache.EndOffsetFor(requestedEpoch)</c>.</param>
    public static TruncationDecision Decide(
        IReadOnlyList<EpochEntry> followerEpochs,
        long followerLogEndOffset,
        int requestedEpoch,
        EpochEndOffset leaderAnswer)
    {
        ArgumentNullException.ThrowIfNull(followerEpochs);
        if (requestedEpoch != RequestEpoch(followerEpochs))
        {
            throw new ArgumentException(
                $"OffsetForLeaderEpoch must ask about the follower's latest epoch {RequestEpoch(followerEpochs)}, not {requestedEpoch}.", nameof(requestedEpoch));
        }

        if (followerEpochs.Count == 0)
        {
            return new TruncationDecision(TruncationOutcome.Complete, followerLogEndOffset, "the follower has no leader epochs, so its log is empty");
        }

        if (leaderAnswer.IsUndefined)
        {
            return new TruncationDecision(TruncationOutcome.Unresolved, -1,
                $"the leader knows no epoch at or below {requestedEpoch} (answer {leaderAnswer}); the follower may be ahead of a stale leader");
        }

        if (leaderAnswer.LeaderEpoch > requestedEpoch)
        {
            return new TruncationDecision(TruncationOutcome.Unresolved, -1,
                $"the leader answered epoch {leaderAnswer.LeaderEpoch} for a request about epoch {requestedEpoch}, which OffsetForLeaderEpoch never does");
        }

        (int followerEpoch, long followerEnd) = EndOffsetFor(followerEpochs, followerLogEndOffset, leaderAnswer.LeaderEpoch);
        if (followerEpoch == LeaderEpochCache.UndefinedEpoch)
        {
            // Cannot happen: the follower's latest epoch is the requested one, which is at least the
            // answer's, so the lookup always finds an epoch. Kafka truncates to the leader's end offset here;
            // an impossible state is a bug, and guessing could cut acknowledged records.
            throw new InvalidOperationException(
                $"Follower epochs [{string.Join(", ", followerEpochs)}] have no epoch at or below {leaderAnswer.LeaderEpoch} although epoch {requestedEpoch} was asked about.");
        }

        if (followerEpoch != leaderAnswer.LeaderEpoch)
        {
            long offset = Math.Min(followerEnd, followerLogEndOffset);
            return new TruncationDecision(TruncationOutcome.Continue, offset,
                $"the leader's epoch {leaderAnswer.LeaderEpoch} is unknown to the follower; cutting to the end {followerEnd} of the follower's epoch {followerEpoch} and asking again");
        }

        long end = Math.Min(Math.Min(followerEnd, leaderAnswer.EndOffset), followerLogEndOffset);
        return new TruncationDecision(TruncationOutcome.Complete, end,
            $"both logs have epoch {followerEpoch}: the follower's ends at {followerEnd}, the leader's at {leaderAnswer.EndOffset}");
    }

    /// <summary>
    /// Runs the whole loop without touching the log: asks, decides, and applies each intermediate cut to a
    /// copy of the epoch entries, until a step is <see cref="TruncationOutcome.Complete"/> or
    /// <see cref="TruncationOutcome.Unresolved"/>. The caller then truncates once. A crash mid-loop loses
    /// nothing, because nothing was cut yet; rerunning gives the same answer.
    /// </summary>
    /// <param name="followerEpochs">The follower's <c>LeaderEpochCache.Entries</c> (not modified).</param>
    /// <param name="followerLogEndOffset">The follower's log end offset.</param>
    /// <param name="offsetForLeaderEpoch">Asks the leader: epoch → the leader's <c>EndOffsetFor</c> answer.</param>
    /// <param name="cancellationToken">Stops between round trips.</param>
    /// <returns>The final decision; <see cref="TruncationDecision.TruncateToOffset"/> is where to cut.</returns>
    public static async ValueTask<TruncationDecision> ResolveAsync(
        IReadOnlyList<EpochEntry> followerEpochs,
        long followerLogEndOffset,
        Func<int, CancellationToken, ValueTask<EpochEndOffset>> offsetForLeaderEpoch,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(followerEpochs);
        ArgumentNullException.ThrowIfNull(offsetForLeaderEpoch);
        IReadOnlyList<EpochEntry> epochs = followerEpochs;
        long logEnd = followerLogEndOffset;
        for (int round = 0; round <= followerEpochs.Count; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int requested = RequestEpoch(epochs);
            EpochEndOffset answer = requested == LeaderEpochCache.UndefinedEpoch
                ? EpochEndOffset.Undefined
                : await offsetForLeaderEpoch(requested, cancellationToken);
            TruncationDecision decision = Decide(epochs, logEnd, requested, answer);
            if (decision.Outcome != TruncationOutcome.Continue)
            {
                return decision;
            }

            logEnd = decision.TruncateToOffset;
            epochs = TruncateFromEnd(epochs, logEnd);
        }

        throw new InvalidOperationException(
            $"Truncation did not converge after {followerEpochs.Count + 1} OffsetForLeaderEpoch rounds over epochs [{string.Join(", ", followerEpochs)}]; every Continue step must remove an epoch.");
    }

    /// <summary>The same lookup as <c>LeaderEpochCache.EndOffsetFor</c>, over a list (Kafka <c>endOffsetFor</c>).</summary>
    internal static (int Epoch, long EndOffset) EndOffsetFor(IReadOnlyList<EpochEntry> entries, long logEndOffset, int requestedEpoch)
    {
        if (requestedEpoch == LeaderEpochCache.UndefinedEpoch || entries.Count == 0)
        {
            return (LeaderEpochCache.UndefinedEpoch, LeaderEpochCache.UndefinedEpochOffset);
        }

        if (entries[^1].Epoch == requestedEpoch)
        {
            return (requestedEpoch, logEndOffset);
        }

        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i].Epoch > requestedEpoch)
            {
                return i == 0 ? (requestedEpoch, entries[0].StartOffset) : (entries[i - 1].Epoch, entries[i].StartOffset);
            }
        }

        return (LeaderEpochCache.UndefinedEpoch, LeaderEpochCache.UndefinedEpochOffset);
    }

    private static EpochEntry[] TruncateFromEnd(IReadOnlyList<EpochEntry> entries, long endOffset)
    {
        int keep = entries.Count;
        while (keep > 0 && entries[keep - 1].StartOffset >= endOffset)
        {
            keep--;
        }

        var kept = new EpochEntry[keep];
        for (int i = 0; i < keep; i++)
        {
            kept[i] = entries[i];
        }

        return kept;
    }
}
