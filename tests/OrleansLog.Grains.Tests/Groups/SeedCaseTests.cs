using OrleansLog.Grains.Groups;
using OrleansLog.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.GroupHarness;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// The three cases the design names, for every assignor, through the state machine: as many consumers as
/// partitions (one each), fewer (some own several, sizes differ by at most one), more (the extra ones own
/// nothing and stay members — and take over a partition when a member leaves).
/// </summary>
public sealed class SeedCaseTests
{
    public static TheoryData<string> AssignorNames => [.. BuiltInAssignors.All.Select(a => a.Name)];

    [Theory]
    [MemberData(nameof(AssignorNames))]
    public void AsManyConsumersAsPartitions_EachOwnsExactlyOne(string assignor)
    {
        var group = new GroupHarness(topics: ("t", 3));

        string[] ids = group.FormGroup(Consumers(assignor, 3));

        Assert.All(ids, id => Assert.Single(group.AssignmentOf(id)));
        Assert.Equal(Ps(0, 1, 2), ids.SelectMany(group.AssignmentOf).Order(TopicPartitionOrder.Instance));
    }

    [Theory]
    [MemberData(nameof(AssignorNames))]
    public void FewerConsumersThanPartitions_SomeOwnSeveral(string assignor)
    {
        var group = new GroupHarness(topics: ("t", 5));

        string[] ids = group.FormGroup(Consumers(assignor, 2));

        Assert.Equal([2, 3], ids.Select(id => group.AssignmentOf(id).Count).Order());
        Assert.Equal(Ps(0, 1, 2, 3, 4), ids.SelectMany(group.AssignmentOf).Order(TopicPartitionOrder.Instance));
    }

    [Theory]
    [MemberData(nameof(AssignorNames))]
    public void MoreConsumersThanPartitions_TheExtraOnesIdle_UntilAMemberLeaves(string assignor)
    {
        var group = new GroupHarness(topics: ("t", 3));
        string[] ids = group.FormGroup(Consumers(assignor, 5));
        string[] idle = [.. ids.Where(id => group.AssignmentOf(id).Count == 0)];
        Assert.Equal(2, idle.Length);
        Assert.Equal(5, group.Machine.MemberCount);
        Assert.Equal(Ps(0, 1, 2), ids.SelectMany(group.AssignmentOf).Order(TopicPartitionOrder.Instance));

        string leaving = ids.First(id => group.AssignmentOf(id).Count == 1);
        group.Leave(leaving);
        string[] rest = [.. ids.Where(id => id != leaving)];
        foreach (string id in rest)
        {
            Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat(id, 1));
        }

        JoinGroupRequest[] rejoins = [.. rest.Select(id => Request(id, ClientOf(id), assignors: [assignor], owned: [.. group.AssignmentOf(id)]))];
        foreach (JoinGroupRequest rejoin in rejoins)
        {
            group.Join(rejoin);
        }

        foreach (string id in rest)
        {
            Assert.Equal(ErrorCode.None, group.Sync(id, 2).Error);
        }

        Assert.Equal(GroupState.Stable, group.Machine.State);
        Assert.Equal(Ps(0, 1, 2), rest.SelectMany(group.AssignmentOf).Order(TopicPartitionOrder.Instance));
        Assert.Equal(1, rest.Count(id => group.AssignmentOf(id).Count == 0));
        Assert.Contains(idle, id => group.AssignmentOf(id).Count == 1);
    }

    private static JoinGroupRequest[] Consumers(string assignor, int count) =>
        [.. Enumerable.Range(0, count).Select(i => Request(clientId: "c" + i, assignors: [assignor]))];
}
