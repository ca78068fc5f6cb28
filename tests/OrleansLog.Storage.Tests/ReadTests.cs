using System.Buffers;
using OrleansLog.Records;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects Kafka's fetch and ListOffsets semantics on the stored log: whole batches only, never at or
/// past maxOffset (the high watermark), at least one batch even when larger than maxBytes, a mid-batch
/// offset returns its whole batch, reads cross segments, out-of-range offsets get a precise error, and
/// reads running beside the writer always see whole, valid batches.
/// </summary>
public sealed class ReadTests
{
    [Fact]
    public async Task Read_NeverReturnsABatchAtOrPastMaxOffset()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 5; i++)
        {
            await harness.AppendAsync(log, records: 2);
        }

        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult result = log.Read(0, 1 << 20, maxOffset: 6, buffer);
        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal([0L, 2, 4], TestBatches.Split(buffer.WrittenSpan).Select(b => b.Header.BaseOffset));
        Assert.Equal(6, result.NextOffset);

        var none = new ArrayBufferWriter<byte>();
        LogReadResult atHighWatermark = log.Read(6, 1 << 20, maxOffset: 6, none);
        Assert.Equal((ErrorCode.None, 0, 6L), (atHighWatermark.ErrorCode, atHighWatermark.BytesWritten, atHighWatermark.NextOffset));
        log.Close();
    }

    [Fact]
    public async Task Read_ReturnsAtLeastOneWholeBatch_EvenWhenLargerThanMaxBytes()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log, payloadBytes: 500);
        await harness.AppendAsync(log, payloadBytes: 500);

        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult result = log.Read(0, maxBytes: 10, long.MaxValue, buffer);
        Assert.Equal(561, result.BytesWritten);
        Assert.Equal(harness.Acknowledged[0], buffer.WrittenSpan.ToArray());
        Assert.Equal(1, result.NextOffset);
        log.Close();
    }

    [Fact]
    public async Task Read_ReturnsOnlyWholeBatches_ThatFitInMaxBytes()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 4; i++)
        {
            await harness.AppendAsync(log, payloadBytes: 39);
        }

        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult result = log.Read(0, maxBytes: 250, long.MaxValue, buffer);
        Assert.Equal(200, result.BytesWritten);
        Assert.Equal(2, result.NextOffset);
        Assert.Equal(0, result.FirstBatchBaseOffset);
        log.Close();
    }

    [Fact]
    public async Task Read_AtAnOffsetInsideABatch_ReturnsThatWholeBatch()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log, records: 10);
        await harness.AppendAsync(log, records: 10);

        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult result = log.Read(15, 1, long.MaxValue, buffer);
        Assert.Equal(10, result.FirstBatchBaseOffset);
        Assert.Equal(20, result.NextOffset);
        Assert.Equal(harness.Acknowledged[1], buffer.WrittenSpan.ToArray());
        log.Close();
    }

    [Fact]
    public async Task Read_CrossesSegments_AndReturnsEveryBatchInOrder()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 30; i++)
        {
            await harness.AppendAsync(log, records: 1 + (i % 3));
        }

        Assert.True(log.SegmentCount > 3);
        LogHarness.AssertHolds(log, harness.Acknowledged);
        log.Close();
    }

    [Fact]
    public async Task Read_OutsideTheLog_ReturnsOffsetOutOfRange_NamingThePartitionAndTheRange()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log, records: 5);

        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult atEnd = log.Read(5, 1024, long.MaxValue, buffer);
        Assert.Equal((ErrorCode.None, 0), (atEnd.ErrorCode, atEnd.BytesWritten));

        LogReadResult past = log.Read(6, 1024, long.MaxValue, buffer);
        Assert.Equal(ErrorCode.OffsetOutOfRange, past.ErrorCode);
        Assert.Equal(0, buffer.WrittenCount);
        Assert.Contains("Offset 6", past.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("orders-0", past.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("[0, 5)", past.ErrorMessage, StringComparison.Ordinal);

        Assert.Equal(ErrorCode.OffsetOutOfRange, log.Read(-1, 1024, long.MaxValue, buffer).ErrorCode);
        log.Close();
    }

    [Fact]
    public async Task OffsetForTimestamp_FindsTheFirstBatchWhoseMaxTimestampIsAtOrAfterTheTarget()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 20; i++)
        {
            await harness.AppendAsync(log, records: 2, timestamp: 1_000 * (i + 1));
        }

        Assert.Equal(new TimestampOffset(1_000, 0), log.OffsetForTimestamp(0));
        Assert.Equal(new TimestampOffset(1_000, 0), log.OffsetForTimestamp(1_000));
        Assert.Equal(new TimestampOffset(2_000, 2), log.OffsetForTimestamp(1_001));
        Assert.Equal(new TimestampOffset(15_000, 28), log.OffsetForTimestamp(14_500));
        Assert.Equal(new TimestampOffset(20_000, 38), log.OffsetForTimestamp(20_000));
        Assert.Null(log.OffsetForTimestamp(20_001));
        log.Close();
    }

    [Fact]
    public async Task OffsetForTimestamp_WithOutOfOrderTimestamps_UsesTheFirstBatchThatQualifies()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        long[] timestamps = [5_000, 1_000, 9_000, 2_000, 9_500];
        foreach (long timestamp in timestamps)
        {
            await harness.AppendAsync(log, timestamp: timestamp);
        }

        Assert.Equal(new TimestampOffset(5_000, 0), log.OffsetForTimestamp(3_000));
        Assert.Equal(new TimestampOffset(9_000, 2), log.OffsetForTimestamp(6_000));
        Assert.Equal(new TimestampOffset(9_500, 4), log.OffsetForTimestamp(9_200));
        log.Close();
    }

    [Fact]
    public async Task ReadBatchHeaders_ReturnsTheHeadersFromTheBatchHoldingTheOffset()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 12; i++)
        {
            await harness.AppendAsync(log, records: 3);
        }

        Assert.Equal(Enumerable.Range(2, 10).Select(i => i * 3L), log.ReadBatchHeaders(7).Select(h => h.BaseOffset));
        Assert.Equal(12, log.ReadBatchHeaders(0).Count());
        Assert.Empty(log.ReadBatchHeaders(36));
        log.Close();
    }

    [Fact]
    public async Task ReadBatchHeaders_WalksBatchesLargerThanItsBuffer_ToTheEnd()
    {
        // Header walks read 4 KiB at a time; a last batch larger than that once made the walk
        // slice past its buffer at the end of the segment.
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 3; i++)
        {
            await harness.AppendAsync(log, records: 2, payloadBytes: 20_000);
        }

        Assert.Equal([0L, 2L, 4L], log.ReadBatchHeaders(0).Select(h => h.BaseOffset));
        log.Close();
    }

    [Fact]
    public async Task ConcurrentReads_DuringAppends_AlwaysSeeWholeValidBatches()
    {
        using var harness = new LogHarness();
        harness.Options.SegmentBytes = 16 * 1024;
        PartitionLog log = harness.Open();
        const int Appends = 2_000;
        using var done = new CancellationTokenSource();

        Task reader = Task.Run(() =>
        {
            long verified = 0;
            var buffer = new ArrayBufferWriter<byte>();
            while (!done.IsCancellationRequested || verified < log.LogEndOffset)
            {
                buffer.ResetWrittenCount();
                LogReadResult result = log.Read(verified, 8 * 1024, long.MaxValue, buffer);
                Assert.Equal(ErrorCode.None, result.ErrorCode);
                foreach ((RecordBatchHeader header, byte[] bytes) in TestBatches.Split(buffer.WrittenSpan))
                {
                    Assert.Equal(verified, header.BaseOffset);
                    Assert.True(TestBatches.HasValidCrc(bytes), $"batch {header.BaseOffset} read with a bad CRC");
                    verified = header.NextOffset;
                }
            }

            Assert.Equal(Appends * 2L, verified);
        }, TestContext.Current.CancellationToken);

        for (int i = 0; i < Appends; i++)
        {
            await log.AppendAsync(TestBatches.Create(2, 50 + (i % 200), 1_000, seed: i), 0, TestContext.Current.CancellationToken);
        }

        await done.CancelAsync();
        await Wait.ForAsync(reader, "the reader to catch up with the writer");
        log.Close();
    }
}
