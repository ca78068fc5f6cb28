using OrleansLog.Grains.Replication;
using OrleansLog.Storage;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects the follower truncation rules (KIP-101, KIP-279) as pure decisions: cut where the epoch
/// histories part, loop when the leader answers with an epoch the follower lacks, and refuse to guess when
/// the answer proves nothing (never fall back to the high watermark).
/// </summary>
public sealed class FollowerTruncationTests
{
    private static readonly EpochEntry[] Follower = [new(0, 0), new(1, 10), new(3, 20)];

    [Fact]
    public void Decide_SameEpochOnBothSides_CutsAtTheSmallerEnd()
    {
        TruncationDecision decision = FollowerTruncation.Decide(Follower, 30, 3, new EpochEndOffset(3, 25));

        Assert.Equal(TruncationOutcome.Complete, decision.Outcome);
        Assert.Equal(25, decision.TruncateToOffset);
    }

    [Fact]
    public void Decide_LeaderAheadInSameEpoch_CutsNothing()
    {
        TruncationDecision decision = FollowerTruncation.Decide(Follower, 30, 3, new EpochEndOffset(3, 40));

        Assert.Equal(new TruncationDecision(TruncationOutcome.Complete, 30, decision.Reason), decision);
    }

    [Fact]
    public void Decide_LeaderAnswersOlderEpochFollowerHas_CutsAtEndOfThatEpochOnEitherSide()
    {
        // The leader never saw epoch 3; its epoch 1 ends at 15, the follower's at 20.
        TruncationDecision decision = FollowerTruncation.Decide(Follower, 30, 3, new EpochEndOffset(1, 15));

        Assert.Equal(new TruncationDecision(TruncationOutcome.Complete, 15, decision.Reason), decision);
    }

    [Fact]
    public void Decide_LeaderAnswersEpochFollowerLacks_ContinuesFromEndOfFollowersLowerEpoch()
    {
        // Epoch 2 is unknown to the follower: its largest epoch below 2 is 1, which ends at 20.
        TruncationDecision decision = FollowerTruncation.Decide(Follower, 30, 3, new EpochEndOffset(2, 18));

        Assert.Equal(new TruncationDecision(TruncationOutcome.Continue, 20, decision.Reason), decision);
    }

    [Fact]
    public void Decide_UndefinedAnswer_IsUnresolved_AndTruncatesNothing()
    {
        TruncationDecision decision = FollowerTruncation.Decide(Follower, 30, 3, EpochEndOffset.Undefined);

        Assert.Equal(TruncationOutcome.Unresolved, decision.Outcome);
        Assert.Equal(-1, decision.TruncateToOffset);
    }

    [Fact]
    public void Decide_AnswerEpochAboveRequest_IsUnresolved()
    {
        TruncationDecision decision = FollowerTruncation.Decide(Follower, 30, 3, new EpochEndOffset(4, 30));

        Assert.Equal(TruncationOutcome.Unresolved, decision.Outcome);
    }

    [Fact]
    public void Decide_AnswerToAnEpochOtherThanTheFollowersLatest_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => FollowerTruncation.Decide(Follower, 30, 1, new EpochEndOffset(1, 15)));
    }

    [Fact]
    public void Decide_EmptyFollower_CutsNothing()
    {
        TruncationDecision decision = FollowerTruncation.Decide([], 0, LeaderEpochCache.UndefinedEpoch, EpochEndOffset.Undefined);

        Assert.Equal(new TruncationDecision(TruncationOutcome.Complete, 0, decision.Reason), decision);
    }

    [Fact]
    public async Task ResolveAsync_LoopsUntilTheLastSharedEpoch_WithoutModifyingTheInput()
    {
        // Leader history: (0,0) (2,12) (4,22), log end 30. The follower shares epoch 0 up to offset 10 only.
        EpochEntry[] leader = [new(0, 0), new(2, 12), new(4, 22)];
        EpochEntry[] follower = [.. Follower];
        var asked = new List<int>();

        TruncationDecision decision = await FollowerTruncation.ResolveAsync(
            follower,
            30,
            (epoch, _) =>
            {
                asked.Add(epoch);
                (int e, long end) = FollowerTruncation.EndOffsetFor(leader, 30, epoch);
                return ValueTask.FromResult(new EpochEndOffset(e, end));
            },
            TestContext.Current.CancellationToken);

        // Ask 3 → (2, 22): follower lacks 2, plans a cut at 20. Ask 1 → (0, 12): cut at min(10, 12) = 10.
        Assert.Equal([3, 1], asked);
        Assert.Equal(new TruncationDecision(TruncationOutcome.Complete, 10, decision.Reason), decision);
        Assert.Equal(Follower, follower);
    }

    [Fact]
    public async Task ResolveAsync_StaleLeaderThatKnowsNoEarlierEpoch_IsUnresolved()
    {
        TruncationDecision decision = await FollowerTruncation.ResolveAsync(
            Follower,
            30,
            (_, _) => ValueTask.FromResult(EpochEndOffset.Undefined),
            TestContext.Current.CancellationToken);

        Assert.Equal(TruncationOutcome.Unresolved, decision.Outcome);
    }
}
