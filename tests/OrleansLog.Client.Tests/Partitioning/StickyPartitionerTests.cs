namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the KIP-480 sticky behaviour for keyless records: one partition until its batch closes, then a
/// different one, so keyless traffic forms full batches instead of one tiny batch per partition.
/// </summary>
public sealed class StickyPartitionerTests
{
    [Fact]
    public void Partition_StaysOnOnePartition_UntilANewBatchIsNeeded()
    {
        var sticky = new StickyPartitioner(new Random(7));
        int first = sticky.Partition(6);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(first, sticky.Partition(6));
        }
    }

    [Fact]
    public void OnNewBatch_SwitchesToADifferentPartition_AndStaysThere()
    {
        var sticky = new StickyPartitioner(new Random(11));
        int current = sticky.Partition(4);
        for (int round = 0; round < 50; round++)
        {
            int next = sticky.OnNewBatch(current, 4);
            Assert.NotEqual(current, next);
            Assert.InRange(next, 0, 3);
            Assert.Equal(next, sticky.Partition(4));
            current = next;
        }
    }

    [Fact]
    public void OnNewBatch_ForAPartitionThatIsNoLongerSticky_FollowsTheCurrentOne()
    {
        // Two producers raced to the same full batch: the second must not switch a second time.
        var sticky = new StickyPartitioner(new Random(3));
        int old = sticky.Partition(5);
        int switched = sticky.OnNewBatch(old, 5);
        Assert.Equal(switched, sticky.OnNewBatch(old, 5));
    }

    [Fact]
    public void OnNewBatch_WithOnePartition_StaysOnZero()
    {
        var sticky = new StickyPartitioner(new Random(1));
        Assert.Equal(0, sticky.Partition(1));
        Assert.Equal(0, sticky.OnNewBatch(0, 1));
    }

    [Fact]
    public void Partition_ChoosesAgain_WhenTheStickyPartitionNoLongerExists()
    {
        var sticky = new StickyPartitioner(new Random(5));
        sticky.OnNewBatch(sticky.Partition(10), 10);
        Assert.InRange(sticky.Partition(2), 0, 1);
    }

    [Fact]
    public void OnNewBatch_SpreadsOverAllPartitions()
    {
        var sticky = new StickyPartitioner(new Random(42));
        var seen = new HashSet<int>();
        int current = sticky.Partition(8);
        for (int i = 0; i < 200; i++)
        {
            current = sticky.OnNewBatch(current, 8);
            seen.Add(current);
        }

        Assert.Equal(8, seen.Count);
    }
}
