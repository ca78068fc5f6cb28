using System.Buffers.Binary;
using OrleansLog.Grains.Partitions;
using OrleansLog.Records;
using Xunit;

namespace OrleansLog.Grains.Tests.Partitions;

/// <summary>
/// Protects the follower's rules of <see cref="Partition"/>: a copy keeps the idempotent producers' state
/// as it appends, so it recognises a retry the moment it takes office — without replaying its log; a
/// truncation reloads that state from what is left; a batch damaged on the way is refused before it reaches
/// the disk; a copy that stopped following — or became leader — is not touched by a late follower step
/// (append, truncation, start-over), whatever its fetcher decided before.
/// </summary>
public sealed class PartitionFollowerTests : IDisposable
{
    private static readonly string[] ThreeNodes = ["A", "B", "C"];
    private readonly PartitionTestBed _bed = new();
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFollowerTakingOffice_RecognisesARetryOfWhatItCopied_WithoutReplayingItsLog()
    {
        Partition oldLeader = _bed.Lead("A", 1, ThreeNodes, isr: ["A"]);
        AppendResult original = await oldLeader.AppendAsync(PartitionTestBed.Batch("x", producerId: 42), Acks.Leader, Token);
        await _bed.CopyAsync("A", "B", 1);
        ProducerStateLoad loadedAtOpen = _bed["B"].ProducerStateLoad;

        Partition newLeader = _bed.Lead("B", 2, ThreeNodes);
        AppendResult retry = await newLeader.AppendAsync(PartitionTestBed.Batch("x", producerId: 42), Acks.Leader, Token);

        Assert.True(retry.IsSuccess, retry.Message);
        Assert.Equal(original.BaseOffset, retry.BaseOffset);
        Assert.Equal(1, newLeader.Log.LogEndOffset);
        Assert.Equal(loadedAtOpen, newLeader.ProducerStateLoad);
        Assert.Equal(1, newLeader.ProducerCount);
    }

    [Fact]
    public async Task TruncatingAFollower_ForgetsTheProducerBatchesItCut()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes, isr: ["A"]);
        await leader.AppendAsync(PartitionTestBed.Batch("x", producerId: 42), Acks.Leader, Token);
        await leader.AppendAsync(PartitionTestBed.Batch("y", producerId: 42, baseSequence: 1), Acks.Leader, Token);
        await _bed.CopyAsync("A", "B", 1);
        Partition follower = _bed["B"];
        Assert.Equal(2, follower.Log.LogEndOffset);

        follower.TruncateTo(1);
        Partition newLeader = _bed.Lead("B", 2, ThreeNodes);
        AppendResult resent = await newLeader.AppendAsync(PartitionTestBed.Batch("y", producerId: 42, baseSequence: 1), Acks.Leader, Token);

        Assert.True(resent.IsSuccess, resent.Message);
        Assert.Equal(1, resent.BaseOffset); // appended again: the cut batch is no longer a duplicate
        Assert.Equal(2, newLeader.Log.LogEndOffset);
    }

    [Fact]
    public async Task ABatchDamagedOnTheWay_IsRefusedBeforeItReachesTheDisk()
    {
        ReplicaFetchResult fetched = await OneBatchFetchedByBAsync();
        byte[] bytes = new byte[fetched.Records.Length];
        fetched.Records.CopyTo(bytes);
        bytes[^1] ^= 0xFF;
        var damaged = new ReplicaFetchResult { Error = ErrorCode.None, LeaderEpoch = 1, HighWatermark = 1, LogStartOffset = 0, LogEndOffset = 1, Records = Pooled(bytes) };
        Partition follower = _bed["B"];
        follower.BecomeFollower();

        var error = await Assert.ThrowsAsync<CorruptReplicaBatchException>(() => follower.AppendFetchedAsync(damaged, Token));

        Assert.Contains("batch at offset 0", error.Message);
        Assert.Equal(0, follower.Log.LogEndOffset);
    }

    [Fact]
    public async Task ACopyThatStoppedFollowing_TouchesNothing()
    {
        ReplicaFetchResult fetched = await OneBatchFetchedByBAsync();
        Partition follower = _bed["B"];
        follower.BecomeFollower();
        follower.StopFollowing();

        await follower.AppendFetchedAsync(fetched, Token);

        Assert.Equal(0, follower.Log.LogEndOffset);
    }

    [Fact]
    public async Task ACopyThatBecameLeader_IsNotTruncatedOrRestartedByALateFollowerStep()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes, isr: ["A"]);
        await leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.Leader, Token);
        await leader.AppendAsync(PartitionTestBed.Batch("y"), Acks.Leader, Token);
        await _bed.CopyAsync("A", "B", 1);
        Partition b = _bed["B"];
        ReplicaFetchResult late = await leader.ReplicaFetchAsync(new ReplicaFetchRequest("B", 1, 0, 1 << 20, 0), Token);

        // B takes office while its fetcher still holds a decision made as follower (a truncation, a start-over, an answer).
        _bed.Lead("B", 2, ThreeNodes);
        b.TruncateTo(0);
        b.StartOverAt(100);
        await b.AppendFetchedAsync(late, Token);

        Assert.Equal((0L, 2L), (b.Log.LogStartOffset, b.Log.LogEndOffset));
        Assert.Equal(PartitionRole.Leader, b.Role);
    }

    [Fact]
    public async Task AFollowerTakesTheLeadersHighWatermark_NeverAboveItsOwnLogEnd()
    {
        Partition leader = _bed.Lead("A", 1, ["A", "B"]);
        _ = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.Leader, Token);
        _ = leader.AppendAsync(PartitionTestBed.Batch("y"), Acks.Leader, Token);
        await _bed.CopyAsync("A", "B", 1);
        await _bed.CopyAsync("A", "B", 1);
        Assert.Equal(2, leader.HighWatermark);

        await _bed.CopyAsync("A", "B", 1);
        Assert.Equal(2, _bed["B"].HighWatermark);

        _bed["B"].TruncateTo(1);
        Assert.Equal(1, _bed["B"].HighWatermark);
    }

    /// <summary>A leader on A with one batch, and what B's fetch from offset 0 brought back (not yet appended).</summary>
    private async Task<ReplicaFetchResult> OneBatchFetchedByBAsync()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes, isr: ["A"]);
        await leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.Leader, Token);
        return await leader.ReplicaFetchAsync(new ReplicaFetchRequest("B", 1, 0, 1 << 20, 0), Token);
    }

    private static Orleans.Serialization.Buffers.PooledBuffer Pooled(byte[] bytes)
    {
        var buffer = new Orleans.Serialization.Buffers.PooledBuffer();
        buffer.Write(bytes);
        return buffer;
    }

    public void Dispose() => _bed.Dispose();
}
