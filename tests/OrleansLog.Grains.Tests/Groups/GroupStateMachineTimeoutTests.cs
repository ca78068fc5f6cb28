using OrleansLog.Grains.Groups;
using OrleansLog.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.GroupHarness;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects the coordinator's clocks: a member that stops heartbeating is removed after its session
/// timeout, one that does not rejoin is removed at the rebalance timeout and the generation completes
/// without it, one that never syncs is removed after the rebalance timeout — each triggering exactly one
/// rebalance — and the next deadline the host's timer must wake for.
/// </summary>
public sealed class GroupStateMachineTimeoutTests
{
    [Fact]
    public void MemberThatStopsHeartbeating_IsRemovedAtItsSessionTimeout_AndTheRestRebalance()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));

        group.AdvanceMs(6_000);
        Assert.Equal(ErrorCode.None, group.Heartbeat(ids[0], 1));
        group.AdvanceMs(3_999);
        Assert.Empty(group.Removed);
        group.AdvanceMs(1);

        Assert.Equal([new MemberRemoval(ids[1], null, RemovalReason.SessionTimeout)], group.Removed);
        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(ids[0], 1));
        group.RejoinAll(ids[0]);
        Assert.Equal(Ps(0, 1), group.Sync(ids[0], 2).Assignment);
    }

    [Fact]
    public void MemberThatDoesNotRejoin_IsRemovedAtTheRebalanceTimeout_AndTheGenerationCompletesWithoutIt()
    {
        var group = new GroupHarness(topics: ("t", 3));
        string[] ids = group.FormGroup(Request(clientId: "a", rebalanceMs: 20_000), Request(clientId: "b", rebalanceMs: 20_000));
        long c = group.Join(Request(clientId: "c", rebalanceMs: 20_000));
        long a = group.Join(Request(ids[0], "a", rebalanceMs: 20_000));

        // b keeps its session alive but never rejoins.
        for (int i = 0; i < 19; i++)
        {
            group.AdvanceMs(1_000);
            Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(ids[1], 1));
        }

        Assert.Null(group.Answer(a));
        group.AdvanceMs(1_000);

        Assert.Equal([new MemberRemoval(ids[1], null, RemovalReason.RebalanceTimeout)], group.Removed);
        Assert.Equal((2, 2), (group.Answered(a).GenerationId, group.Answered(c).GenerationId));
        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat(ids[1], 1));
        Assert.Equal(Ps(0, 1), group.Sync(ids[0], 2).Assignment);
        Assert.Equal(Ps(2), group.Sync("c-003", 2).Assignment);
    }

    [Fact]
    public void MemberThatNeverSyncs_IsRemovedAfterTheRebalanceTimeout()
    {
        var group = new GroupHarness(topics: ("t", 2));
        long a = group.Join(Request(clientId: "a", rebalanceMs: 15_000));
        long b = group.Join(Request(clientId: "b", rebalanceMs: 15_000));
        group.AdvanceMs(3_000);
        Assert.Equal(ErrorCode.None, group.Sync(group.Answered(a).MemberId, 1).Error);

        // b heartbeats (so its session lives) but never asks for its assignment.
        for (int i = 0; i < 14; i++)
        {
            group.AdvanceMs(1_000);
            Assert.Equal(ErrorCode.None, group.Heartbeat("b-002", 1));
            group.Heartbeat("a-001", 1);
        }

        Assert.Equal(GroupState.CompletingRebalance, group.Machine.State);
        group.AdvanceMs(1_000);

        Assert.Equal([new MemberRemoval("b-002", null, RemovalReason.SyncTimeout)], group.Removed);
        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Equal(ErrorCode.None, group.Answered(b).Error);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat("a-001", 1));
    }

    [Fact]
    public void MembersWaitingInJoin_DoNotExpire_EvenPastTheirSessionTimeout()
    {
        var group = new GroupHarness(topics: ("t", 1));
        long a = group.Join(Request(clientId: "a", sessionMs: 2_000, rebalanceMs: 60_000));

        group.AdvanceMs(2_999);

        Assert.Empty(group.Removed);
        group.AdvanceMs(1);
        Assert.Equal(1, group.Answered(a).GenerationId);
    }

    [Fact]
    public void NextDeadline_IsTheEarliestOfJoinPhaseEndSessionsAndSyncs()
    {
        var group = new GroupHarness(topics: ("t", 1));
        long start = group.Time.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal(long.MaxValue, group.Machine.NextDeadlineMs());

        group.Join(Request(clientId: "a", sessionMs: 5_000, rebalanceMs: 8_000));
        Assert.Equal(start + 3_000, group.Machine.NextDeadlineMs());

        group.AdvanceMs(3_000);
        Assert.Equal(start + 3_000 + 5_000, group.Machine.NextDeadlineMs());
        group.AdvanceMs(1_000);
        group.Sync("a-001", 1);
        Assert.Equal(start + 4_000 + 5_000, group.Machine.NextDeadlineMs());
    }
}
