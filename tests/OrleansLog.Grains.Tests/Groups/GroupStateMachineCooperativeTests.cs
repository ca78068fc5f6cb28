using OrleansLog.Grains.Groups;
using OrleansLog.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.GroupHarness;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects incremental cooperative rebalancing (KIP-429) end to end in the state machine: a partition
/// moving from A to B is revoked from A in one generation and given to B only in the follow-up generation
/// the coordinator starts once everyone synced, after A rejoined without it; partitions that stay never
/// leave their owner.
/// </summary>
public sealed class GroupStateMachineCooperativeTests
{
    private static readonly string[] Cooperative = [CooperativeStickyAssignor.AssignorName];

    [Fact]
    public void MovingPartitions_AreRevokedFirst_AndAssignedInTheFollowUpGeneration()
    {
        var group = new GroupHarness(topics: ("t", 4));
        string a = group.FormGroup(Request(clientId: "a", assignors: Cooperative))[0];
        Assert.Equal(Ps(0, 1, 2, 3), group.AssignmentOf(a));

        // 1. b joins; a rejoins still owning everything.
        long b = group.Join(Request(clientId: "b", assignors: Cooperative));
        long aRejoin = group.Join(Request(a, "a", assignors: Cooperative, owned: Ps(0, 1, 2, 3)));
        Assert.Equal((2, 2), (group.Answered(aRejoin).GenerationId, group.Answered(b).GenerationId));

        // 2. Generation 2: a keeps p0 and p1 and loses p2 and p3; b gets nothing yet, because a still owns them.
        Assert.Equal(Ps(0, 1), group.Sync(a, 2).Assignment);
        Assert.Empty(group.Sync("b-002", 2).Assignment);

        // 3. Everyone synced, so the coordinator starts the follow-up rebalance by itself.
        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(a, 2));
        long aAgain = group.Join(Request(a, "a", assignors: Cooperative, owned: Ps(0, 1)));
        long bAgain = group.Join(Request("b-002", "b", assignors: Cooperative));
        Assert.Equal((3, 3), (group.Answered(aAgain).GenerationId, group.Answered(bAgain).GenerationId));

        // 4. Generation 3: b gets the revoked partitions; a's p0 and p1 never moved.
        Assert.Equal(Ps(0, 1), group.Sync(a, 3).Assignment);
        Assert.Equal(Ps(2, 3), group.Sync("b-002", 3).Assignment);
        Assert.Equal(GroupState.Stable, group.Machine.State);
    }

    [Fact]
    public void OwnerThatStillReportsARevokedPartition_KeepsItWithheld()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string a = group.FormGroup(Request(clientId: "a", assignors: Cooperative))[0];
        group.Join(Request(clientId: "b", assignors: Cooperative));
        group.Join(Request(a, "a", assignors: Cooperative, owned: Ps(0, 1)));
        group.Sync(a, 2);
        group.Sync("b-002", 2);

        // a has not processed its revocation yet and reports p1 again: it stays away from b.
        group.Join(Request(a, "a", assignors: Cooperative, owned: Ps(0, 1)));
        group.Join(Request("b-002", "b", assignors: Cooperative));

        Assert.Equal(Ps(0), group.Sync(a, 3).Assignment);
        Assert.Empty(group.Sync("b-002", 3).Assignment);
        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);
    }

    [Fact]
    public void PartitionsOfAMemberThatLeft_GoToTheOthersInOneGeneration()
    {
        var group = new GroupHarness(topics: ("t", 4));
        string[] ids = group.FormGroup(Request(clientId: "a", assignors: Cooperative), Request(clientId: "b", assignors: Cooperative));
        Assert.Equal(Ps(1, 3), group.AssignmentOf(ids[1]));

        group.Leave(ids[1]);
        group.Join(Request(ids[0], "a", assignors: Cooperative, owned: Ps(0, 2)));

        Assert.Equal(Ps(0, 1, 2, 3), group.Sync(ids[0], 2).Assignment);
        Assert.Equal(GroupState.Stable, group.Machine.State);
    }
}
