using OrleansLog.Grains.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.Assignments;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects the cooperative-sticky assignor (KIP-429): the sticky target minus every partition that
/// another member still reports owning — moving partitions are revoked by the old owner and withheld from
/// the new one; partitions nobody owns are assigned at once.
/// </summary>
public sealed class CooperativeStickyAssignorTests
{
    private readonly CooperativeStickyAssignor _cooperative = new();

    [Fact]
    public void PartitionsThatMove_AreWithheldFromBoth_AndTheRestStay()
    {
        var result = _cooperative.Assign(
            [Member("a", ["t"], owned: [Tp("t", 0), Tp("t", 1), Tp("t", 2), Tp("t", 3)]), Member("b", ["t"])],
            Counts(("t", 4)));

        Assert.Equal(["t-0", "t-1"], Names(result["a"]));
        Assert.Empty(result["b"]);
    }

    [Fact]
    public void PartitionsNobodyOwns_AreAssignedAtOnce()
    {
        var result = _cooperative.Assign(
            [Member("a", ["t"], owned: [Tp("t", 0), Tp("t", 1)]), Member("b", ["t"])],
            Counts(("t", 4)));

        Assert.Equal(["t-0", "t-1"], Names(result["a"]));
        Assert.Equal(["t-2", "t-3"], Names(result["b"]));
    }

    [Fact]
    public void PartitionClaimedByTwoMembers_IsWithheldUntilOneLetsGo()
    {
        var result = _cooperative.Assign(
            [Member("a", ["t"], owned: [Tp("t", 0)]), Member("b", ["t"], owned: [Tp("t", 0)])],
            Counts(("t", 2)));

        Assert.Empty(result["a"]);
        Assert.Equal(["t-1"], Names(result["b"]));
    }
}
