using OrleansLog.Grains.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.Assignments;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>Protects Kafka's exact RoundRobinAssignor output, including its javadoc's unequal-subscription example.</summary>
public sealed class RoundRobinAssignorTests
{
    private readonly RoundRobinAssignor _roundRobin = new();

    [Fact]
    public void TwoTopicsOfThreePartitions_OverTwoMembers_AsInKafkasJavadoc()
    {
        var result = _roundRobin.Assign([Member("C1", ["t0", "t1"]), Member("C0", ["t0", "t1"])], Counts(("t0", 3), ("t1", 3)));

        Assert.Equal(["t0-0", "t0-2", "t1-1"], Names(result["C0"]));
        Assert.Equal(["t0-1", "t1-0", "t1-2"], Names(result["C1"]));
    }

    [Fact]
    public void UnequalSubscriptions_SkipMembersNotSubscribed_AsInKafkasJavadoc()
    {
        var result = _roundRobin.Assign(
            [Member("C0", ["t0"]), Member("C1", ["t0", "t1"]), Member("C2", ["t0", "t1", "t2"])],
            Counts(("t0", 1), ("t1", 2), ("t2", 3)));

        Assert.Equal(["t0-0"], Names(result["C0"]));
        Assert.Equal(["t1-0"], Names(result["C1"]));
        Assert.Equal(["t1-1", "t2-0", "t2-1", "t2-2"], Names(result["C2"]));
    }
}
