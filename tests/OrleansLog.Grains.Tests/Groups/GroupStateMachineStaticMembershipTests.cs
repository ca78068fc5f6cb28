using OrleansLog.Grains.Groups;
using OrleansLog.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.GroupHarness;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects static membership (KIP-345): a member restarting with the same group.instance.id within its
/// session timeout gets a new member id but keeps its assignment and the generation, without a
/// rebalance; the previous incarnation's member id is fenced (FencedInstanceId) for every call; a static
/// member that does not come back is removed by its session timeout like any other.
/// </summary>
public sealed class GroupStateMachineStaticMembershipTests
{
    [Fact]
    public void RestartWithinTheSessionTimeout_KeepsAssignmentAndGeneration_WithoutARebalance()
    {
        var group = new GroupHarness(topics: ("t", 4));
        string[] ids = group.FormGroup(Request(clientId: "a", instanceId: "i-a"), Request(clientId: "b"));
        IReadOnlyList<TopicPartition> before = group.AssignmentOf(ids[0]);
        int rebalances = group.Rebalances.Count;

        // The process dies without leaving (static members don't) and comes back 8 s later.
        group.AdvanceMs(8_000);
        group.Heartbeat(ids[1], 1);
        long restart = group.Join(Request(clientId: "a", instanceId: "i-a"));

        JoinGroupResult answer = group.Answered(restart);
        Assert.Equal((ErrorCode.None, "a-003", 1, "a-003"), (answer.Error, answer.MemberId, answer.GenerationId, answer.LeaderId));
        Assert.Equal(GroupState.Stable, group.Machine.State);
        Assert.Equal(rebalances, group.Rebalances.Count);
        Assert.Equal(before, group.Sync("a-003", 1, "i-a").Assignment);
        Assert.Equal(ErrorCode.None, group.Heartbeat(ids[1], 1));
        Assert.Equal(ErrorCode.None, group.Heartbeat("a-003", 1, "i-a"));
    }

    [Fact]
    public void OlderIncarnation_IsFencedOnEveryCall()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string old = group.FormGroup(Request(clientId: "a", instanceId: "i-a"))[0];
        group.Commit(old, 1, (P(0), 5));

        group.Join(Request(clientId: "a", instanceId: "i-a"));

        Assert.Equal(ErrorCode.FencedInstanceId, group.Heartbeat(old, 1, "i-a"));
        Assert.Equal(ErrorCode.FencedInstanceId, group.Sync(old, 1, "i-a").Error);
        Assert.Equal(ErrorCode.FencedInstanceId, group.JoinRejected(Request(old, "a", instanceId: "i-a")).Error);
        OffsetCommitResult commit = group.Commit(new OffsetCommitRequest(old, "i-a", 1, [new OffsetCommitEntry(P(0), 9, null)]));
        Assert.Equal(ErrorCode.FencedInstanceId, commit.Error);
        Assert.Equal(5, group.Committed(P(0)));
        Assert.Equal(ErrorCode.FencedInstanceId, group.Leave(old, "i-a"));
        Assert.Equal(1, group.Machine.MemberCount);
    }

    [Fact]
    public void OlderIncarnationWaitingInJoin_IsAnsweredFencedInstanceId()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a", instanceId: "i-a"), Request(clientId: "b"));
        group.Join(Request(clientId: "c"));
        long oldJoin = group.Join(Request(ids[0], "a", instanceId: "i-a"));
        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);

        long newJoin = group.Join(Request(clientId: "a", instanceId: "i-a"));

        Assert.Equal(ErrorCode.FencedInstanceId, group.Answered(oldJoin).Error);
        Assert.Null(group.Answer(newJoin));
        group.RejoinAll(ids[1]);
        Assert.Equal((ErrorCode.None, "a-004", 2), (group.Answered(newJoin).Error, group.Answered(newJoin).MemberId, group.Answered(newJoin).GenerationId));
    }

    [Fact]
    public void RestartWithAChangedSubscription_Rebalances()
    {
        var group = new GroupHarness(topics: [("t", 2), ("u", 1)]);
        string[] ids = group.FormGroup(Request(clientId: "a", instanceId: "i-a"), Request(clientId: "b"));

        long restart = group.Join(Request(clientId: "a", instanceId: "i-a", topics: ["t", "u"]));

        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Null(group.Answer(restart));
        group.RejoinAll(ids[1]);
        Assert.Equal(2, group.Answered(restart).GenerationId);
    }

    [Fact]
    public void StaticMemberThatDoesNotComeBack_IsRemovedAtItsSessionTimeout()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a", instanceId: "i-a"), Request(clientId: "b"));

        for (int i = 0; i < 10; i++)
        {
            group.AdvanceMs(1_000);
            group.Heartbeat(ids[1], 1);
        }

        Assert.Equal([new MemberRemoval(ids[0], "i-a", RemovalReason.SessionTimeout)], group.Removed);
        long rejoin = group.Join(Request(clientId: "a", instanceId: "i-a"));
        group.RejoinAll(ids[1]);
        Assert.Equal((ErrorCode.None, 2), (group.Answered(rejoin).Error, group.Answered(rejoin).GenerationId));
    }

    [Fact]
    public void StaticMembers_SortFirstByInstanceId_SoTheirRangesSurviveRestarts()
    {
        var group = new GroupHarness(topics: ("t", 3));
        string[] ids = group.FormGroup(Request(clientId: "z", instanceId: "i-1"), Request(clientId: "a"), Request(clientId: "y", instanceId: "i-0"));

        Assert.Equal(Ps(0), group.AssignmentOf(ids[2]));
        Assert.Equal(Ps(1), group.AssignmentOf(ids[0]));
        Assert.Equal(Ps(2), group.AssignmentOf(ids[1]));
    }

    [Fact]
    public void LeaveByInstanceIdAlone_RemovesTheStaticMember()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a", instanceId: "i-a"), Request(clientId: "b"));

        Assert.Equal(ErrorCode.None, group.Leave(string.Empty, "i-a"));

        Assert.Equal([new MemberRemoval(ids[0], "i-a", RemovalReason.Left)], group.Removed);
        Assert.Equal(ErrorCode.UnknownMemberId, group.Leave(string.Empty, "i-a"));
    }
}
