using OrleansLog.Grains.Replication;
using OrleansLog.Grains.Tests.Replication.TestSupport;
using OrleansLog.Storage;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects a follower that starts over at a leader's log start lying inside a batch (DeleteRecords to a
/// non-boundary offset): it must take the leader's containing batch and end up with the leader's log start
/// and log end, instead of refusing the batch's base offset on every fetch and never rejoining the ISR.
/// </summary>
public sealed class FollowerLogStartTests
{
    [Fact]
    public async Task AFollowerStartingOverInsideABatch_TakesTheContainingBatch_AndKeepsTheLeadersLogStart()
    {
        using var cluster = new ReplicaCluster();
        CancellationToken ct = TestContext.Current.CancellationToken;

        // 1. The leader A holds batches of ten records, [0, 10) and [10, 20); DeleteRecords moves its start to 15.
        for (int i = 0; i < 2; i++)
        {
            await cluster["A"].AppendAsync(ReplicaBatches.Create(10, 32, 1_700_000_000_000, seed: i), 0, ct);
        }

        Assert.Equal(15, cluster["A"].DeleteRecordsBefore(15));

        // 2. The follower B, out of range, starts over at the leader's log start: an empty log at 15.
        cluster["B"].TruncateFullyAndStartAt(15);

        // 3. Its fetch from 15 returns the batch [10, 20). Appended as it is, it is refused.
        byte[] fetched = ReplicaCluster.ReadAll(cluster["A"], 15);
        await Assert.ThrowsAnyAsync<Exception>(async () => await cluster["B"].AppendAsFollowerAsync(fetched.ToArray(), ct));

        // 4. Aligned first, it is taken; then the follower follows the leader's log start.
        Assert.True(FollowerLogStart.AlignToFirstBatch(cluster["B"], fetched));
        await cluster["B"].AppendAsFollowerAsync(fetched, ct);
        cluster["B"].DeleteRecordsBefore(cluster["A"].LogStartOffset);

        Assert.Equal((15L, 20L), (cluster["B"].LogStartOffset, cluster["B"].LogEndOffset));
        Assert.True(ReplicaCluster.ReadAll(cluster["B"], 15).AsSpan().SequenceEqual(ReplicaCluster.ReadAll(cluster["A"], 15)));
    }

    [Fact]
    public async Task AFollowerWithRecords_OrABatchAtItsLogEnd_IsNotTouched()
    {
        using var cluster = new ReplicaCluster();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await cluster["A"].AppendAsync(ReplicaBatches.Create(10, 32, 1_700_000_000_000, seed: 1), 0, ct);
        byte[] fromZero = ReplicaCluster.ReadAll(cluster["A"], 0);

        Assert.False(FollowerLogStart.AlignToFirstBatch(cluster["B"], fromZero));   // empty at 0, batch at 0
        await cluster["B"].AppendAsFollowerAsync(fromZero.ToArray(), ct);
        Assert.False(FollowerLogStart.AlignToFirstBatch(cluster["B"], fromZero));   // not empty
        Assert.Equal(10, cluster["B"].LogEndOffset);
    }
}
