using OrleansLog.Grains.Groups;
using OrleansLog.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.GroupHarness;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects the join phase of Kafka's classic protocol in the pure state machine: the initial delay of an
/// empty group, Empty → PreparingRebalance → CompletingRebalance → Stable with exact generations, members
/// joining and rejoining a stable group, and JoinGroup's error codes.
/// </summary>
public sealed class GroupStateMachineJoinTests
{
    [Fact]
    public void FirstJoin_WaitsTheInitialDelay_ThenOpensGenerationOne_AndSyncMakesTheGroupStable()
    {
        var group = new GroupHarness(topics: ("t", 3));
        Assert.Equal((GroupState.Empty, 0), (group.Machine.State, group.Machine.GenerationId));

        long join = group.Join(Request(clientId: "a"));
        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        group.AdvanceMs(2_999);
        Assert.Null(group.Answer(join));

        group.AdvanceMs(1);
        JoinGroupResult answer = group.Answered(join);
        Assert.Equal((ErrorCode.None, "a-001", 1, "range", "a-001"), (answer.Error, answer.MemberId, answer.GenerationId, answer.Assignor, answer.LeaderId));
        Assert.Equal(GroupState.CompletingRebalance, group.Machine.State);

        SyncGroupResult sync = group.Sync("a-001", 1);
        Assert.Equal((ErrorCode.None, 1), (sync.Error, sync.GenerationId));
        Assert.Equal(Ps(0, 1, 2), sync.Assignment);
        Assert.Equal(GroupState.Stable, group.Machine.State);
    }

    [Fact]
    public void JoinsDuringTheInitialDelay_ExtendIt_UpToTheRebalanceTimeout()
    {
        var group = new GroupHarness(topics: ("t", 4));
        long a = group.Join(Request(clientId: "a", rebalanceMs: 5_000));
        group.AdvanceMs(2_000);
        long b = group.Join(Request(clientId: "b", rebalanceMs: 5_000));
        group.AdvanceMs(2_000);
        Assert.Null(group.Answer(a));
        long c = group.Join(Request(clientId: "c", rebalanceMs: 5_000));

        // The newcomer at 4 s would push the end to 7 s, but the delay may not outlast the 5 s rebalance timeout.
        group.AdvanceMs(999);
        Assert.Null(group.Answer(a));
        group.AdvanceMs(1);
        Assert.All([a, b, c], j => Assert.Equal(1, group.Answered(j).GenerationId));
        Assert.Equal(GroupState.CompletingRebalance, group.Machine.State);
    }

    [Fact]
    public void ZeroInitialDelay_CompletesTheJoinPhaseInTheFirstJoin()
    {
        var group = new GroupHarness(o => o.InitialRebalanceDelay = TimeSpan.Zero, ("t", 2));

        long join = group.Join(Request(clientId: "a"));

        Assert.Equal(1, group.Answered(join).GenerationId);
        Assert.Equal(GroupState.CompletingRebalance, group.Machine.State);
    }

    [Fact]
    public void NewMember_InAStableGroup_StartsARebalance_ThatCompletesWhenEveryKnownMemberRejoined()
    {
        var group = new GroupHarness(topics: ("t", 3));
        string a = group.FormGroup(Request(clientId: "a"))[0];

        long b = group.Join(Request(clientId: "b"));

        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Null(group.Answer(b));
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(a, 1));
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Sync(a, 1).Error);
        long rejoin = group.Join(Request(a, "a"));
        JoinGroupResult first = group.Answered(rejoin);
        JoinGroupResult second = group.Answered(b);
        Assert.Equal((2, "b-002", "a-001"), (second.GenerationId, second.MemberId, second.LeaderId));
        Assert.Equal((2, "a-001"), (first.GenerationId, first.LeaderId));
        Assert.Equal(Ps(0, 1), group.Sync(a, 2).Assignment);
        Assert.Equal(GroupState.CompletingRebalance, group.Machine.State);
        Assert.Equal(Ps(2), group.Sync("b-002", 2).Assignment);
        Assert.Equal(GroupState.Stable, group.Machine.State);
    }

    [Fact]
    public void KnownMember_RejoiningAStableGroupWithTheSameSubscription_GetsTheCurrentGenerationAtOnce()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));

        long rejoin = group.Join(Request(ids[1], "b"));

        Assert.Equal((ErrorCode.None, 1, "a-001"), (group.Answered(rejoin).Error, group.Answered(rejoin).GenerationId, group.Answered(rejoin).LeaderId));
        Assert.Equal(GroupState.Stable, group.Machine.State);
        Assert.Empty(group.Rebalances.Skip(1));
    }

    [Fact]
    public void KnownMember_RejoiningWithANewSubscription_StartsARebalance()
    {
        var group = new GroupHarness(topics: [("t", 2), ("u", 2)]);
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));

        long rejoin = group.Join(Request(ids[1], "b", topics: ["t", "u"]));

        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Null(group.Answer(rejoin));
        group.Join(Request(ids[0], "a"));
        Assert.Equal(2, group.Answered(rejoin).GenerationId);
        Assert.Equal([P(1), P(0, "u"), P(1, "u")], group.Sync(ids[1], 2).Assignment);
        Assert.Equal(Ps(0), group.Sync(ids[0], 2).Assignment);
    }

    [Fact]
    public void Leave_RemovesTheMember_AndTheOthersGetItsPartitionsInTheNextGeneration()
    {
        var group = new GroupHarness(topics: ("t", 4));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));
        Assert.Equal(Ps(2, 3), group.AssignmentOf(ids[1]));

        Assert.Equal(ErrorCode.None, group.Leave(ids[1]));

        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Equal([new MemberRemoval(ids[1], null, RemovalReason.Left)], group.Removed);
        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat(ids[1], 1));
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(ids[0], 1));
        group.RejoinAll(ids[0]);
        Assert.Equal((ErrorCode.None, 2), (group.Sync(ids[0], 2).Error, group.Machine.GenerationId));
        Assert.Equal(Ps(0, 1, 2, 3), group.AssignmentOf(ids[0]));
        Assert.Equal(GroupState.Stable, group.Machine.State);
    }

    [Fact]
    public void LastMemberLeaving_EmptiesTheGroup_AndAdvancesTheGeneration()
    {
        var group = new GroupHarness(topics: ("t", 1));
        string a = group.FormGroup(Request(clientId: "a"))[0];

        Assert.Equal(ErrorCode.None, group.Leave(a));

        Assert.Equal((GroupState.Empty, 2, null, null), (group.Machine.State, group.Machine.GenerationId, group.Machine.Assignor, group.Machine.LeaderId));
        Assert.Equal(ErrorCode.UnknownMemberId, group.Leave(a));
    }

    [Fact]
    public void LeavingWhileAnotherMemberWaitsInJoin_CompletesThePhaseForTheRest()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));
        long rejoin = group.Join(Request(ids[0], "a", topics: ["t", "x"]));
        Assert.Null(group.Answer(rejoin));

        group.Leave(ids[1]);

        Assert.Equal((ErrorCode.None, 2), (group.Answered(rejoin).Error, group.Answered(rejoin).GenerationId));
    }

    [Fact]
    public void LeaderLeaving_TheOldestRemainingMemberLeadsTheNextGeneration()
    {
        var group = new GroupHarness(topics: ("t", 3));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"), Request(clientId: "c"));
        Assert.Equal("a-001", group.Machine.LeaderId);

        group.Leave(ids[0]);
        JoinGroupResult[] answers = group.RejoinAll(ids[2], ids[1]);

        Assert.All(answers, a => Assert.Equal("b-002", a.LeaderId));
    }

    [Fact]
    public void SecondJoinOfTheSameMember_AnswersTheFirstWithRebalanceInProgress()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));
        long first = group.Join(Request(ids[0], "a", topics: ["t", "x"]));

        long second = group.Join(Request(ids[0], "a", topics: ["t", "x"]));

        Assert.Equal(ErrorCode.RebalanceInProgress, group.Answered(first).Error);
        Assert.Null(group.Answer(second));
        group.Join(Request(ids[1], "b"));
        Assert.Equal(2, group.Answered(second).GenerationId);
    }

    [Fact]
    public void CancelledFirstJoin_RemovesTheMemberThatNeverLearnedItsId()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string a = group.FormGroup(Request(clientId: "a"))[0];
        long b = group.Join(Request(clientId: "b"));

        group.Machine.CancelJoin(b);
        group.Join(Request(a, "a"));

        Assert.Equal([new MemberRemoval("b-002", null, RemovalReason.JoinCancelled)], group.Removed);
        Assert.Equal(1, group.Machine.MemberCount);
        Assert.Equal(Ps(0, 1), group.Sync(a, 2).Assignment);
    }

    [Fact]
    public void Assignor_IsTheLeadersFirstPreferenceThatEveryMemberSupports()
    {
        var group = new GroupHarness(topics: ("t", 4));
        long a = group.Join(Request(clientId: "a", assignors: ["cooperative-sticky", "roundrobin", "range"]));
        long b = group.Join(Request(clientId: "b", assignors: ["range", "roundrobin"]));
        group.AdvanceMs(3_000);

        Assert.Equal("roundrobin", group.Answered(a).Assignor);
        Assert.Equal("roundrobin", group.Answered(b).Assignor);
        Assert.Equal(Ps(0, 2), group.Sync("a-001", 1).Assignment);
    }

    [Theory]
    [InlineData(999)]
    [InlineData(300_001)]
    public void SessionTimeoutOutsideTheCoordinatorsRange_IsInvalidSessionTimeout(int sessionMs)
    {
        var group = new GroupHarness(topics: ("t", 1));

        JoinGroupResult rejected = group.JoinRejected(Request(clientId: "a", sessionMs: sessionMs));

        Assert.Equal(ErrorCode.InvalidSessionTimeout, rejected.Error);
        Assert.Contains($"{sessionMs} ms", rejected.Message, StringComparison.Ordinal);
        Assert.Equal((GroupState.Empty, 0, false), (group.Machine.State, group.Machine.MemberCount, group.Machine.Exists));
    }

    [Fact]
    public void UnknownAssignor_IsInconsistentGroupProtocol()
    {
        var group = new GroupHarness(topics: ("t", 1));

        JoinGroupResult rejected = group.JoinRejected(Request(clientId: "a", assignors: ["my-own"]));

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, rejected.Error);
        Assert.Contains("known: range, roundrobin, sticky, cooperative-sticky", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AssignorsIncompatibleWithTheMembers_AreInconsistentGroupProtocol_AndChangeNothing()
    {
        var group = new GroupHarness(topics: ("t", 1));
        group.FormGroup(Request(clientId: "a", assignors: ["range"]));

        JoinGroupResult rejected = group.JoinRejected(Request(clientId: "b", assignors: ["roundrobin"]));

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, rejected.Error);
        Assert.Equal((GroupState.Stable, 1, 1), (group.Machine.State, group.Machine.MemberCount, group.Machine.GenerationId));
    }

    [Fact]
    public void UnknownMemberId_IsRejected_AndChangesNothing()
    {
        var group = new GroupHarness(topics: ("t", 1));
        group.FormGroup(Request(clientId: "a"));
        long version = group.Machine.Version;

        JoinGroupResult rejected = group.JoinRejected(Request("ghost-9", "ghost"));

        Assert.Equal(ErrorCode.UnknownMemberId, rejected.Error);
        Assert.Equal((GroupState.Stable, version), (group.Machine.State, group.Machine.Version));
    }

    [Fact]
    public void EmptyGroupId_IsInvalidGroupId_ForJoinsAndCommits()
    {
        var machine = new GroupStateMachine(string.Empty, new GroupCoordinatorOptions(), BuiltInAssignors.All, TimeProvider.System);

        Assert.Equal(ErrorCode.InvalidGroupId, machine.Join(Request(clientId: "a")).Rejection!.Error);
        Assert.Equal(ErrorCode.InvalidGroupId, machine.Commit(new OffsetCommitRequest(string.Empty, null, -1, [])).Error);
        Assert.False(machine.Exists);
    }

    [Fact]
    public void FullGroup_IsGroupMaxSizeReached()
    {
        var group = new GroupHarness(o => o.MaxGroupSize = 2, ("t", 1));
        group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));

        Assert.Equal(ErrorCode.GroupMaxSizeReached, group.JoinRejected(Request(clientId: "c")).Error);
        Assert.Equal(GroupState.Stable, group.Machine.State);
    }

    [Fact]
    public void TopicThatGrows_RebalancesAStableGroup_AndTheNewPartitionsAreAssigned()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));

        group.SetPartitions(("t", 2));
        Assert.Equal(GroupState.Stable, group.Machine.State);
        group.SetPartitions(("t", 4));

        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Equal("topic 't' has 4 partitions; the assignment used 2", group.Rebalances[^1]);
        group.RejoinAll(ids);
        Assert.Equal(Ps(0, 1), group.Sync(ids[0], 2).Assignment);
        Assert.Equal(Ps(2, 3), group.Sync(ids[1], 2).Assignment);
    }

    [Fact]
    public void SubscribedTopicThatAppears_RebalancesAndIsAssigned()
    {
        var group = new GroupHarness(topics: [("t", 1), ("later", 0)]);
        string a = group.FormGroup(Request(clientId: "a", topics: ["t", "later"]))[0];
        Assert.Equal(Ps(0), group.AssignmentOf(a));

        group.SetPartitions(("later", 2));
        group.RejoinAll(a);

        Assert.Equal([P(0, "later"), P(1, "later"), P(0)], group.Sync(a, 2).Assignment);
    }
}
