using OrleansLog.Grains.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.Assignments;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>Protects Kafka's exact RangeAssignor output: contiguous ranges per topic, the first n % m members (by id) one larger.</summary>
public sealed class RangeAssignorTests
{
    private readonly RangeAssignor _range = new();

    [Fact]
    public void SevenPartitionsOverThreeMembers_AreThreeTwoTwo_InMemberIdOrder()
    {
        var result = _range.Assign([Member("c", ["t"]), Member("a", ["t"]), Member("b", ["t"])], Counts(("t", 7)));

        Assert.Equal(["t-0", "t-1", "t-2"], Names(result["a"]));
        Assert.Equal(["t-3", "t-4"], Names(result["b"]));
        Assert.Equal(["t-5", "t-6"], Names(result["c"]));
    }

    [Fact]
    public void TwoTopicsOfThreePartitions_OverTwoMembers_AsInKafkasJavadoc()
    {
        var result = _range.Assign([Member("C0", ["t0", "t1"]), Member("C1", ["t0", "t1"])], Counts(("t0", 3), ("t1", 3)));

        Assert.Equal(["t0-0", "t0-1", "t1-0", "t1-1"], Names(result["C0"]));
        Assert.Equal(["t0-2", "t1-2"], Names(result["C1"]));
    }

    [Fact]
    public void EachTopic_IsSplitOnlyAmongItsSubscribers()
    {
        var result = _range.Assign([Member("a", ["t", "u"]), Member("b", ["u"])], Counts(("t", 2), ("u", 3)));

        Assert.Equal(["t-0", "t-1", "u-0", "u-1"], Names(result["a"]));
        Assert.Equal(["u-2"], Names(result["b"]));
    }

    [Fact]
    public void MembersSortOrdinally_AndStaticMembersFirstByInstanceId()
    {
        var result = _range.Assign(
            [Member("b", ["t"]), Member("B", ["t"]), Member("z", ["t"], instanceId: "i-0")],
            Counts(("t", 3)));

        Assert.Equal(["t-0"], Names(result["z"]));
        Assert.Equal(["t-1"], Names(result["B"]));
        Assert.Equal(["t-2"], Names(result["b"]));
    }

    [Fact]
    public void MissingTopic_AssignsNothing_ButEveryMemberHasAnEntry()
    {
        var result = _range.Assign([Member("a", ["nope"])], Counts());

        Assert.Empty(result["a"]);
    }
}
