using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects retention and DeleteRecords: whole closed segments go by age (largest timestamp) and by
/// partition size, never the active segment; the log start offset advances, survives a restart, and reads
/// below it get OffsetOutOfRange.
/// </summary>
public sealed class RetentionTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);

    [Fact]
    public async Task RetentionByTime_DeletesClosedSegmentsWhoseNewestBatchIsTooOld()
    {
        var time = new FakeTimeProvider(Start);
        using var harness = new LogHarness(time);
        harness.Options.RetentionMs = 60_000;
        PartitionLog log = harness.Open();

        // 1. two segments' worth written now, two more a minute later.
        for (int i = 0; i < 12; i++)
        {
            await harness.AppendAsync(log);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        for (int i = 0; i < 12; i++)
        {
            await harness.AppendAsync(log);
        }

        IReadOnlyList<long> bases = log.SegmentBaseOffsets;
        Assert.Equal([0L, 6, 12, 18], bases);

        // 2. nothing is old enough yet.
        Assert.Equal(0, log.ApplyRetention(log.LogEndOffset).DeletedSegments);

        // 3. 61 s after the first batches: the first two segments go; the log starts at 12.
        time.Advance(TimeSpan.FromSeconds(1.001));
        RetentionResult result = log.ApplyRetention(log.LogEndOffset);
        Assert.Equal((2, 2, 12L), (result.DeletedSegments, result.DeletedByTime, result.LogStartOffset));
        Assert.Equal([12L, 18], log.SegmentBaseOffsets);
        Assert.False(File.Exists(LogFileNames.LogFile(harness.Directory, 0)));
        AssertOutOfRange(log, 11);
        LogHarness.AssertHolds(log, harness.Acknowledged[12..]);

        // 4. much later every batch is old, but the active segment stays.
        time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(1, log.ApplyRetention(log.LogEndOffset).DeletedSegments);
        Assert.Equal([18L], log.SegmentBaseOffsets);
        Assert.Equal(18, log.LogStartOffset);

        // 5. the log start offset survives a restart, clean or not.
        log.Close();
        PartitionLog reopened = harness.Open();
        Assert.Equal(18, reopened.LogStartOffset);
        AssertOutOfRange(reopened, 17);
        LogHarness.AssertHolds(reopened, harness.Acknowledged[18..]);
        reopened.Abandon();
        PartitionLog recovered = harness.Open();
        Assert.Equal(18, recovered.LogStartOffset);
        recovered.Close();
    }

    [Fact]
    public async Task Retention_NeverDeletesASegmentThatReachesTheHighWatermark_HoweverOldOrLarge()
    {
        // 1. Four segments of old batches, a tiny size limit: everything but the active segment is due.
        var time = new FakeTimeProvider(Start);
        using var harness = new LogHarness(time);
        harness.Options.RetentionMs = 60_000;
        harness.Options.RetentionBytes = 1;
        PartitionLog log = harness.Open();
        for (int i = 0; i < 24; i++)
        {
            await harness.AppendAsync(log);
        }

        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal([0L, 6, 12, 18], log.SegmentBaseOffsets);

        // 2. Followers hold only offsets below 8: segment [0, 6) may go, [6, 12) reaches the HW and stays.
        RetentionResult result = log.ApplyRetention(highWatermark: 8);
        Assert.Equal((1, 6L), (result.DeletedSegments, result.LogStartOffset));
        Assert.Equal([6L, 12, 18], log.SegmentBaseOffsets);
        LogHarness.AssertHolds(log, harness.Acknowledged[6..]);

        // 3. Nothing replicated beyond the log start: nothing more goes.
        Assert.Equal(0, log.ApplyRetention(highWatermark: 6).DeletedSegments);

        // 4. Once the HW passes offset 18, the two closed segments below it go; the active one stays.
        Assert.Equal(2, log.ApplyRetention(highWatermark: 18).DeletedSegments);
        Assert.Equal([18L], log.SegmentBaseOffsets);
        log.Close();
    }

    [Fact]
    public async Task RetentionBySize_DeletesOldestSegments_WhileThePartitionStaysAtOrAboveTheLimit()
    {
        using var harness = new LogHarness();
        harness.Options.RetentionBytes = 2_000;
        PartitionLog log = harness.Open();
        for (int i = 0; i < 24; i++)
        {
            await harness.AppendAsync(log);
        }

        // Four segments of 966 bytes: 3864 bytes; dropping one leaves 2898 ≥ 2000, two leave 1932 < 2000.
        Assert.Equal(4 * 966, log.SizeInBytes);
        RetentionResult result = log.ApplyRetention(log.LogEndOffset);
        Assert.Equal((1, 1, 966L), (result.DeletedSegments, result.DeletedBySize, result.DeletedBytes));
        Assert.Equal(6, log.LogStartOffset);
        Assert.Equal(0, log.ApplyRetention(log.LogEndOffset).DeletedSegments);
        LogHarness.AssertHolds(log, harness.Acknowledged[6..]);
        log.Close();
    }

    [Fact]
    public async Task DeleteRecordsBefore_AdvancesTheLogStart_AndDeletesSegmentsWhollyBelowIt()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 20; i++)
        {
            await harness.AppendAsync(log);
        }

        Assert.Equal(8, log.DeleteRecordsBefore(8));
        Assert.Equal([6L, 12, 18], log.SegmentBaseOffsets);
        AssertOutOfRange(log, 7);

        // Reading at the log start returns its batch; a lower DeleteRecords changes nothing.
        var buffer = new ArrayBufferWriter<byte>();
        Assert.Equal(8, log.Read(8, 1, long.MaxValue, buffer).FirstBatchBaseOffset);
        Assert.Equal(8, log.DeleteRecordsBefore(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.DeleteRecordsBefore(21));

        // The active segment stays even when everything is deleted.
        Assert.Equal(20, log.DeleteRecordsBefore(20));
        Assert.Equal([18L], log.SegmentBaseOffsets);
        log.Abandon();

        PartitionLog reopened = harness.Open();
        Assert.Equal(20, reopened.LogStartOffset);
        Assert.Equal(20, reopened.LogEndOffset);
        AssertOutOfRange(reopened, 19);
        await harness.AppendAsync(reopened);
        LogHarness.AssertHolds(reopened, harness.Acknowledged[20..]);
        reopened.Close();
    }

    private static void AssertOutOfRange(PartitionLog log, long offset)
    {
        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult result = log.Read(offset, 1024, long.MaxValue, buffer);
        Assert.Equal(ErrorCode.OffsetOutOfRange, result.ErrorCode);
        Assert.Contains($"[{log.LogStartOffset}, ", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(0, buffer.WrittenCount);
    }
}
