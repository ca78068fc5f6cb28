using OrleansLog.Grains.Groups;
using OrleansLog.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.GroupHarness;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects what survives the coordinator moving: offsets, generation, assignor, leader and the members
/// with their ids and assignments, so members carry on heartbeating and committing without a rebalance;
/// a rebalance that was under way resumes; a snapshot never changes after it was taken.
/// </summary>
public sealed class GroupStateMachineSnapshotTests
{
    [Fact]
    public void RestoredStableGroup_KeepsMembersGenerationAndOffsets_AndMembersCarryOn()
    {
        var group = new GroupHarness(topics: ("t", 3));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b", instanceId: "i-b"));
        group.Commit(ids[0], 1, (P(0), 11), (P(1), 12));

        group.Reactivate(("t", 3));

        Assert.Equal((GroupState.Stable, 1, "range", "a-001", true), (group.Machine.State, group.Machine.GenerationId, group.Machine.Assignor, group.Machine.LeaderId, group.Machine.Exists));
        Assert.Equal((11, 12), (group.Committed(P(0)), group.Committed(P(1))));
        Assert.Equal(ErrorCode.None, group.Heartbeat(ids[0], 1));
        Assert.Equal(ErrorCode.None, group.Heartbeat(ids[1], 1, "i-b"));
        Assert.Equal(Ps(2), group.Sync(ids[0], 1).Assignment);
        Assert.Equal(ErrorCode.None, group.Commit(ids[1], 1, (P(2), 5)).Error);
        Assert.Empty(group.Rebalances.Skip(1));
    }

    [Fact]
    public void RestoredGroup_RebalancesOnlyForTopicCountsThatAreKnownAndChanged()
    {
        var group = new GroupHarness(topics: [("t", 2), ("u", 2)]);
        string[] ids = group.FormGroup(Request(clientId: "a", topics: ["t", "u"]));

        group.Reactivate();
        group.SetPartitions(("t", 2));
        Assert.Equal(GroupState.Stable, group.Machine.State);
        group.SetPartitions(("u", 3));

        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        group.RejoinAll(ids);
        Assert.Equal([P(0), P(1), P(0, "u"), P(1, "u"), P(2, "u")], group.Sync(ids[0], 2).Assignment);
    }

    [Fact]
    public void RestoredMembersThatNeverReturn_ExpireOneSessionAfterTheRestore()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));
        group.AdvanceMs(9_000);

        group.Reactivate(("t", 2));
        group.AdvanceMs(9_999);
        Assert.Empty(group.Removed);
        group.Heartbeat(ids[0], 1);
        group.AdvanceMs(1);

        Assert.Equal([new MemberRemoval(ids[1], null, RemovalReason.SessionTimeout)], group.Removed);
    }

    [Fact]
    public void RebalanceUnderWay_ResumesAfterTheRestore()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"), Request(clientId: "c"));
        group.Leave(ids[2]);
        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);

        group.Reactivate(("t", 2));

        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(ids[0], 1));
        group.RejoinAll(ids[0], ids[1]);
        Assert.Equal(2, group.Machine.GenerationId);
        Assert.Equal(Ps(0), group.Sync(ids[0], 2).Assignment);
        Assert.Equal(Ps(1), group.Sync(ids[1], 2).Assignment);
    }

    [Fact]
    public void PendingCooperativeFollowUp_IsResumedAsARebalance()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string a = group.FormGroup(Request(clientId: "a", assignors: ["cooperative-sticky"]))[0];
        group.Join(Request(clientId: "b", assignors: ["cooperative-sticky"]));
        group.Join(Request(a, "a", assignors: ["cooperative-sticky"], owned: Ps(0, 1)));
        Assert.Equal(GroupState.CompletingRebalance, group.Machine.State);

        GroupCoordinatorState snapshot = group.Machine.Snapshot();

        Assert.Equal(GroupState.PreparingRebalance, snapshot.State);
    }

    [Fact]
    public void StaticMemberRestartingAfterTheCoordinatorMoved_KeepsItsAssignment()
    {
        var group = new GroupHarness(topics: ("t", 4));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b", instanceId: "i-b"));

        group.Reactivate(("t", 4));
        long restart = group.Join(Request(clientId: "b", instanceId: "i-b"));

        Assert.Equal((ErrorCode.None, 1), (group.Answered(restart).Error, group.Answered(restart).GenerationId));
        Assert.Equal(Ps(0, 1), group.Sync(group.Answered(restart).MemberId, 1, "i-b").Assignment);
        Assert.Equal(ErrorCode.FencedInstanceId, group.Heartbeat(ids[1], 1, "i-b"));
    }

    [Fact]
    public void Snapshot_IsIndependentOfLaterChanges()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string a = group.FormGroup(Request(clientId: "a"))[0];
        group.Commit(a, 1, (P(0), 1));
        GroupCoordinatorState snapshot = group.Machine.Snapshot();

        group.Commit(a, 1, (P(0), 2));
        group.Leave(a);

        Assert.Equal(1, Assert.Single(snapshot.Offsets).Offset);
        Assert.Equal(a, Assert.Single(snapshot.Members).MemberId);
        Assert.Equal(GroupState.Stable, snapshot.State);
    }

    [Fact]
    public void Restore_IntoAMachineInUse_FailsLoudly()
    {
        var group = new GroupHarness(topics: ("t", 1));
        group.Commit(string.Empty, -1, (P(0), 1));

        Assert.Throws<InvalidOperationException>(() => group.Machine.Restore(group.Machine.Snapshot()));
    }
}
