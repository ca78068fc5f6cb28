using Microsoft.Extensions.Time.Testing;
using OrleansLog.Records;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects the append path: offsets and the leader epoch are stamped in place without touching the CRC,
/// badly framed input is refused before anything is written, segments roll by size, age and index
/// capacity, follower appends keep their offsets, and a second concurrent writer is detected.
/// </summary>
public sealed class AppendAndRollTests
{
    [Fact]
    public async Task Append_StampsBaseOffsetAndEpochInPlace_AndKeepsTheCrcValid()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        using var harness = new LogHarness(time);
        PartitionLog log = harness.Open();
        byte[] first = TestBatches.Create(3, 20, 5);
        byte[] second = TestBatches.Create(2, 20, 9);
        LogAppendInfo a = await log.AppendAsync(first, 7, TestContext.Current.CancellationToken);
        LogAppendInfo b = await log.AppendAsync(second, 7, TestContext.Current.CancellationToken);

        Assert.Equal(new LogAppendInfo(0, 2, 1_700_000_000_000, 5, 0, 0, first.Length), a);
        Assert.Equal(new LogAppendInfo(3, 4, 1_700_000_000_000, 9, 0, first.Length, second.Length), b);
        RecordBatchHeader header = RecordBatchHeader.Read(second);
        Assert.Equal((3L, 7), (header.BaseOffset, header.PartitionLeaderEpoch));
        Assert.True(TestBatches.HasValidCrc(second));
        Assert.Equal(5, log.LogEndOffset);
        log.Close();
    }

    [Theory]
    [InlineData("too short")]
    [InlineData("length mismatch")]
    [InlineData("bad magic")]
    [InlineData("negative lastOffsetDelta")]
    public async Task Append_RefusesABadlyFramedBatch_AndWritesNothing(string defect)
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log);
        byte[] batch = TestBatches.Create(1, 30, 1_000);
        switch (defect)
        {
            case "too short":
                batch = batch[..40];
                break;
            case "length mismatch":
                batch = [.. batch, 0];
                break;
            case "bad magic":
                batch[RecordBatchLayout.MagicPosition] = 1;
                break;
            case "negative lastOffsetDelta":
                System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.LastOffsetDeltaPosition), -2);
                break;
        }

        Assert.Throws<ArgumentException>(() => { _ = log.AppendAsync(batch, 0, TestContext.Current.CancellationToken); });
        Assert.False(log.IsFailed);
        LogHarness.AssertHolds(log, harness.Acknowledged);
        log.Close();
    }

    [Fact]
    public async Task Append_WithAnOlderLeaderEpoch_IsRefused()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log, epoch: 5);
        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(
            () => { _ = log.AppendAsync(TestBatches.Create(1, 10, 1_000), 4, TestContext.Current.CancellationToken); });
        Assert.Contains("epoch 5", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, log.LogEndOffset);
        log.Close();
    }

    [Fact]
    public async Task Segments_RollBySize_BeforeAnAppendWouldExceedSegmentBytes()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 7; i++)
        {
            await harness.AppendAsync(log, payloadBytes: 100);
        }

        // 6 × 161 = 966 bytes fit in 1024; the seventh batch starts a new segment.
        Assert.Equal([0L, 6], log.SegmentBaseOffsets);
        Assert.Equal(966, new FileInfo(LogFileNames.LogFile(harness.Directory, 0)).Length);

        // A batch larger than a segment still goes in, alone, into a fresh segment.
        LogAppendInfo big = await harness.AppendAsync(log, payloadBytes: 3000);
        Assert.Equal((7L, 0L), (big.SegmentBaseOffset, big.Position));
        Assert.Equal([0L, 6, 7], log.SegmentBaseOffsets);
        LogHarness.AssertHolds(log, harness.Acknowledged);
        log.Close();
    }

    [Fact]
    public async Task Segments_RollByAge_MeasuredFromTheFirstAppendIntoThem()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        using var harness = new LogHarness(time);
        harness.Options.SegmentMs = 60_000;
        PartitionLog log = harness.Open();

        time.Advance(TimeSpan.FromHours(1));
        await harness.AppendAsync(log);
        time.Advance(TimeSpan.FromMilliseconds(60_000));
        await harness.AppendAsync(log);
        Assert.Equal(1, log.SegmentCount);

        time.Advance(TimeSpan.FromMilliseconds(1));
        await harness.AppendAsync(log);
        Assert.Equal([0L, 2], log.SegmentBaseOffsets);
        log.Close();
    }

    [Fact]
    public async Task Segments_Roll_WhenTheIndexIsFull()
    {
        using var harness = new LogHarness();
        harness.Options.MaxIndexBytes = 24;
        harness.Options.IndexIntervalBytes = 0;
        harness.Options.SegmentBytes = 1 << 20;
        PartitionLog log = harness.Open();
        for (int i = 0; i < 8; i++)
        {
            await harness.AppendAsync(log, payloadBytes: 10, timestamp: 1_000 + i);
        }

        // Two time-index entries (24 bytes) fill the index; entries start at each segment's second batch.
        Assert.Equal([0L, 3, 6], log.SegmentBaseOffsets);
        LogHarness.AssertHolds(log, harness.Acknowledged);
        log.Close();
    }

    [Fact]
    public async Task FollowerAppend_KeepsOffsetsAndEpochs_AndRequiresTheLogEndOffset()
    {
        using var harness = new LogHarness();
        PartitionLog leader = harness.Open();
        for (int i = 0; i < 4; i++)
        {
            await harness.AppendAsync(leader, records: 2, epoch: i < 2 ? 1 : 3);
        }

        leader.Close();

        using var followerDir = new TempDirectory();
        using var scheduler = new CommitScheduler();
        PartitionLog follower = PartitionLog.Open(followerDir.Partition(), harness.Options, scheduler);
        byte[] firstTwo = [.. harness.Acknowledged[0], .. harness.Acknowledged[1]];
        LogAppendInfo info = await follower.AppendAsFollowerAsync(firstTwo, TestContext.Current.CancellationToken);
        Assert.Equal((0L, 3L), (info.BaseOffset, info.LastOffset));

        ArgumentException gap = await Assert.ThrowsAsync<ArgumentException>(
            async () => await follower.AppendAsFollowerAsync(harness.Acknowledged[3].ToArray(), TestContext.Current.CancellationToken));
        Assert.Contains("expected 4", gap.Message, StringComparison.Ordinal);

        await follower.AppendAsFollowerAsync(harness.Acknowledged[2].ToArray(), TestContext.Current.CancellationToken);
        await follower.AppendAsFollowerAsync(harness.Acknowledged[3].ToArray(), TestContext.Current.CancellationToken);
        LogHarness.AssertHolds(follower, harness.Acknowledged);
        Assert.Equal([new EpochEntry(1, 0), new EpochEntry(3, 4)], follower.LeaderEpochCache.Entries);
        follower.Close();
    }

    [Fact]
    public async Task ConcurrentWriters_AreDetected()
    {
        using var harness = new LogHarness();
        using var gate = new ManualResetEventSlim(false);
        var fileSystem = new FaultInjectingFileSystem { FlushGate = gate, AppliesTo = p => p.EndsWith(".timeindex", StringComparison.Ordinal) };
        harness.FileSystem = fileSystem;
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log);

        // Hold Close inside its fsync of the time index (owner busy), then try to append from another thread.
        Task closing = Task.Run(() => log.Close(), TestContext.Current.CancellationToken);
        await Wait.UntilAsync(() => fileSystem.FlushesStarted >= 1, "close to reach its fsync");
        InvalidOperationException second = Assert.Throws<InvalidOperationException>(
            () => { _ = log.AppendAsync(TestBatches.Create(1, 10, 1_000), 0, TestContext.Current.CancellationToken); });
        Assert.Contains("one owner at a time", second.Message, StringComparison.Ordinal);
        gate.Set();
        await Wait.ForAsync(closing, "close to finish");
    }
}
