using OrleansLog.Grains.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects the follower's rule "no fetch before a truncation that ran against the current leader's epoch"
/// (issue: a follower fenced by the leader's OffsetForLeaderEpoch answer adopted the new epoch, counted the
/// refused truncation as done and fetched at its untruncated log end).
/// </summary>
public sealed class TruncationGateTests
{
    [Fact]
    public void AFollowerThatStarts_MayNotFetchBeforeATruncation()
    {
        var gate = new TruncationGate();

        Assert.False(gate.MayFetch(3));
    }

    [Fact]
    public void AFenceRaisedDuringTruncation_KeepsTheGateClosed_UntilATruncationUnderTheNewEpoch()
    {
        var gate = new TruncationGate();
        var fence = new EpochFence(3);

        // 1. Truncation starts under epoch 3; the leader answers FencedLeaderEpoch with epoch 5.
        int startedUnder = fence.LatestEpoch;
        fence.Accept(5);

        // 2. The refused truncation completes nothing: no fetch under epoch 5.
        Assert.False(gate.MayFetch(fence.LatestEpoch));

        // 3. Even a truncation that completed under the old epoch does not open it for the new one.
        gate.Completed(startedUnder);
        Assert.False(gate.MayFetch(fence.LatestEpoch));

        // 4. A truncation under epoch 5 does.
        gate.Completed(fence.LatestEpoch);
        Assert.True(gate.MayFetch(5));
    }

    [Fact]
    public void ANewerLeaderMetByAFetch_ClosesTheGate_WithoutAnyoneClosingIt()
    {
        var gate = new TruncationGate();
        var fence = new EpochFence(4);
        gate.Completed(4);
        Assert.True(gate.MayFetch(fence.LatestEpoch));

        fence.Accept(6);

        Assert.False(gate.MayFetch(fence.LatestEpoch));
    }

    [Fact]
    public void FollowingAgain_ClosesTheGate_EvenForTheSameEpoch()
    {
        var gate = new TruncationGate();
        gate.Completed(2);

        gate.Close();

        Assert.False(gate.MayFetch(2));
    }
}
