using OrleansLog.Grains.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.Assignments;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects the sticky assignor (KIP-54): balanced, and when members come or go only the partitions that
/// must move do — each survivor keeps everything it had when a member leaves, and a newcomer takes exactly
/// its share from the fullest members.
/// </summary>
public sealed class StickyAssignorTests
{
    private readonly StickyAssignor _sticky = new();

    [Fact]
    public void NewMember_TakesOnlyItsShare_AndEveryoneElseKeepsTheRest()
    {
        TopicPartition[] a = [Tp("t", 0), Tp("t", 1), Tp("t", 2)];
        TopicPartition[] b = [Tp("t", 3), Tp("t", 4), Tp("t", 5)];
        TopicPartition[] c = [Tp("t", 6), Tp("t", 7), Tp("t", 8)];

        var result = _sticky.Assign(
            [Member("a", ["t"], a), Member("b", ["t"], b), Member("c", ["t"], c), Member("d", ["t"])],
            Counts(("t", 9)));

        Assert.Equal(9, result.Values.Sum(p => p.Count));
        Assert.All(result.Values, p => Assert.InRange(p.Count, 2, 3));
        Assert.Equal(2, result["d"].Count);
        Assert.Subset(a.ToHashSet(), result["a"].ToHashSet());
        Assert.Subset(b.ToHashSet(), result["b"].ToHashSet());
        Assert.Subset(c.ToHashSet(), result["c"].ToHashSet());
        Assert.Equal(7, result["a"].Count + result["b"].Count + result["c"].Count);
    }

    [Fact]
    public void MemberLeaving_OnlyItsPartitionsMove()
    {
        TopicPartition[] a = [Tp("t", 0), Tp("t", 3)];
        TopicPartition[] b = [Tp("t", 1), Tp("t", 4)];
        TopicPartition[] c = [Tp("t", 2), Tp("t", 5)];

        var result = _sticky.Assign([Member("a", ["t"], a), Member("c", ["t"], c)], Counts(("t", 6)));

        Assert.Equal(3, result["a"].Count);
        Assert.Equal(3, result["c"].Count);
        Assert.Subset(result["a"].ToHashSet(), a.ToHashSet());
        Assert.Subset(result["c"].ToHashSet(), c.ToHashSet());
        Assert.Equal(b.ToHashSet(), result["a"].Concat(result["c"]).Except(a).Except(c).ToHashSet());
    }

    [Fact]
    public void ClaimsOnPartitionsThatNoLongerQualify_AreDropped_AndADoubleClaimGoesToTheFirstMember()
    {
        var result = _sticky.Assign(
            [
                Member("a", ["t"], [Tp("t", 0), Tp("t", 7), Tp("u", 0)]),
                Member("b", ["t"], [Tp("t", 0), Tp("t", 1)]),
            ],
            Counts(("t", 2), ("u", 1)));

        Assert.Equal(["t-0"], Names(result["a"]));
        Assert.Equal(["t-1"], Names(result["b"]));
    }

    [Fact]
    public void FreshGroup_IsBalanced()
    {
        var result = _sticky.Assign([Member("a", ["t", "u"]), Member("b", ["t", "u"]), Member("c", ["t", "u"])], Counts(("t", 4), ("u", 3)));

        Assert.Equal(7, result.Values.Sum(p => p.Count));
        Assert.All(result.Values, p => Assert.InRange(p.Count, 2, 3));
    }
}
