using OrleansLog.Records;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects follower truncation (KIP-101): TruncateTo cuts at a batch boundary, deletes later segments,
/// trims the indexes and the leader-epoch cache, survives a restart, and the log continues from the cut;
/// also the leader-epoch cache's OffsetForLeaderEpoch answers and its checkpoint file.
/// </summary>
public sealed class TruncationTests
{
    [Fact]
    public async Task TruncateTo_CutsAtTheBatchBoundary_DeletesLaterSegments_AndTrimsTheEpochCache()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 20; i++)
        {
            await harness.AppendAsync(log, records: 2, epoch: i / 5);
        }

        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(1, 10), new EpochEntry(2, 20), new EpochEntry(3, 30)], log.LeaderEpochCache.Entries);
        int segmentsBefore = log.SegmentCount;

        // Offset 13 is inside the batch [12, 13]: the log is cut at 12.
        Assert.Equal(12, log.TruncateTo(13));
        Assert.Equal(12, log.LogEndOffset);
        Assert.True(log.SegmentCount < segmentsBefore);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(1, 10)], log.LeaderEpochCache.Entries);
        List<byte[]> kept = harness.Acknowledged[..6];
        LogHarness.AssertHolds(log, kept);
        Assert.Equal(log.SegmentCount, Directory.GetFiles(harness.Directory, "*.log").Length);

        // The log continues at the cut with a new epoch, and all of it survives a crash.
        byte[] next = TestBatches.Create(2, 30, 1_000);
        await log.AppendAsync(next, 4, TestContext.Current.CancellationToken);
        Assert.Equal(12, RecordBatchHeader.Read(next).BaseOffset);
        Assert.Equal(new EpochEntry(4, 12), log.LeaderEpochCache.Entries[^1]);
        log.Abandon();
        PartitionLog reopened = harness.Open();
        LogHarness.AssertHolds(reopened, [.. kept, next]);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(1, 10), new EpochEntry(4, 12)], reopened.LeaderEpochCache.Entries);
        reopened.Close();
    }

    [Fact]
    public async Task TruncateTo_TheBaseOfASegment_EmptiesIt_AndBelowTheLogStart_IsRefused()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 14; i++)
        {
            await harness.AppendAsync(log);
        }

        long secondBase = log.SegmentBaseOffsets[1];
        Assert.Equal(secondBase, log.TruncateTo(secondBase));
        Assert.Equal([0L, secondBase], log.SegmentBaseOffsets);
        Assert.Equal(0, new FileInfo(LogFileNames.LogFile(harness.Directory, secondBase)).Length);
        LogHarness.AssertHolds(log, harness.Acknowledged[..(int)secondBase]);
        Assert.Equal(secondBase, log.TruncateTo(100));

        log.DeleteRecordsBefore(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.TruncateTo(1));
        log.Close();
    }

    [Fact]
    public async Task EndOffsetFor_AnswersLikeKafkasOffsetForLeaderEpoch()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log, records: 5, epoch: 2);
        await harness.AppendAsync(log, records: 5, epoch: 4);
        await harness.AppendAsync(log, records: 5, epoch: 7);
        LeaderEpochCache cache = log.LeaderEpochCache;

        Assert.Equal(7, cache.LatestEpoch);
        Assert.Equal((7, 15L), cache.EndOffsetFor(7));
        Assert.Equal((4, 10L), cache.EndOffsetFor(4));
        Assert.Equal((4, 10L), cache.EndOffsetFor(5));
        Assert.Equal((2, 5L), cache.EndOffsetFor(3));
        Assert.Equal((1, 0L), cache.EndOffsetFor(1));
        Assert.Equal((-1, -1L), cache.EndOffsetFor(8));
        Assert.Equal((-1, -1L), cache.EndOffsetFor(-1));
        log.Close();

        string checkpoint = File.ReadAllText(Path.Combine(harness.Directory, LogFileNames.LeaderEpochCheckpoint));
        Assert.Equal("0\n3\n2 0\n4 5\n7 10\n", checkpoint);
    }

    [Fact]
    public async Task LeaderEpochCheckpoint_Lost_IsRebuiltFromTheBatches()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        for (int i = 0; i < 12; i++)
        {
            await harness.AppendAsync(log, epoch: i / 4);
        }

        log.Close();
        File.WriteAllText(Path.Combine(harness.Directory, LogFileNames.LeaderEpochCheckpoint), "garbage");

        PartitionLog reopened = harness.Open();
        Assert.False(reopened.LastRecovery.WasCleanShutdown);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(1, 4), new EpochEntry(2, 8)], reopened.LeaderEpochCache.Entries);
        reopened.Close();
    }
}
