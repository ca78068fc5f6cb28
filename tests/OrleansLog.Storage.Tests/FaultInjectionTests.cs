using System.Buffers;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects sticky failure: after a failed write, a failed fsync or a full disk the log refuses every
/// append, read and flush with KafkaStorageError naming the original cause (a failed fsync is never
/// retried), and reopening recovers every acknowledged batch and cuts any torn partial write — on a full disk
/// too (what recovery repaired is written once space is back), but not while fsyncs fail.
/// </summary>
public sealed class FaultInjectionTests
{
    [Fact]
    public async Task FailedWrite_FailsTheLog_UntilReopened_AndLosesNoAcknowledgedBatch()
    {
        using var harness = new LogHarness();
        var fileSystem = new FaultInjectingFileSystem { FailWriteNumber = 6 };
        harness.FileSystem = fileSystem;

        // 1. five appends succeed, the sixth write fails.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 5; i++)
        {
            await harness.AppendAsync(log);
        }

        KafkaStorageException failure = await Assert.ThrowsAsync<KafkaStorageException>(() => harness.AppendAsync(log));
        Assert.Equal(ErrorCode.KafkaStorageError, failure.ErrorCode);
        Assert.Contains("Injected write failure", failure.Message, StringComparison.Ordinal);
        Assert.Contains("orders-0", failure.Message, StringComparison.Ordinal);
        Assert.True(log.IsFailed);

        // 2. everything after fails fast with the same cause, even with the fault gone.
        fileSystem.FailWriteNumber = 0;
        AssertFailsFast(log, "Injected write failure");

        // 3. close writes no clean-shutdown marker; reopening recovers the acknowledged batches.
        log.Close();
        Assert.False(File.Exists(Path.Combine(harness.Directory, LogFileNames.CleanShutdownMarker)));
        PartitionLog reopened = harness.Open();
        Assert.False(reopened.LastRecovery.WasCleanShutdown);
        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        await harness.AppendAsync(reopened);
        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        reopened.Close();
    }

    [Fact]
    public async Task FailedFsync_FailsTheWaitingAppend_AndTheLog_WithoutRetrying()
    {
        using var harness = new LogHarness();
        var fileSystem = new FaultInjectingFileSystem();
        harness.FileSystem = fileSystem;
        harness.Options.FlushPolicy = FlushPolicy.Always;

        // 1. acknowledged appends: each completed only after its fsync.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 3; i++)
        {
            await harness.AppendAsync(log);
        }

        // 2. the next fsync fails: the append's task faults with the cause.
        fileSystem.FailFlush = true;
        byte[] unacknowledged = TestBatches.Create(1, 100, 1_000, seed: 42);
        ValueTask<LogAppendInfo> pending = log.AppendAsync(unacknowledged, 0, TestContext.Current.CancellationToken);
        KafkaStorageException failure = await Assert.ThrowsAsync<KafkaStorageException>(
            () => Wait.ForAsync(pending.AsTask(), "the append whose fsync fails"));
        Assert.Contains("Injected fsync failure", failure.Message, StringComparison.Ordinal);
        int flushesAfterFailure = fileSystem.FlushesStarted;

        // 3. sticky: later calls fail fast and no fsync is retried.
        fileSystem.FailFlush = false;
        AssertFailsFast(log, "Injected fsync failure");
        Assert.Equal(flushesAfterFailure, fileSystem.FlushesStarted);

        // 4. reopen: the acknowledged batches are there (the unacknowledged one may be too: it was written).
        log.Close();
        PartitionLog reopened = harness.Open();
        Assert.True(reopened.LogEndOffset is 3 or 4, $"log end offset {reopened.LogEndOffset}");
        List<byte[]> expected = reopened.LogEndOffset == 4 ? [.. harness.Acknowledged, unacknowledged] : harness.Acknowledged;
        LogHarness.AssertHolds(reopened, expected);
        reopened.Close();
    }

    [Fact]
    public async Task FullDisk_WithAPartialWrite_FailsTheLog_AndTheTornBytesAreCutOnReopen()
    {
        using var harness = new LogHarness();
        var fileSystem = new FaultInjectingFileSystem();
        harness.FileSystem = fileSystem;

        // 1. four appends fit; the disk then has room for only 100 bytes of the fifth batch.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 4; i++)
        {
            await harness.AppendAsync(log);
        }

        fileSystem.DiskFullAfterBytes = fileSystem.BytesWritten + 100;
        KafkaStorageException failure = await Assert.ThrowsAsync<KafkaStorageException>(() => harness.AppendAsync(log));
        Assert.Contains("No space left on device", failure.Message, StringComparison.Ordinal);

        // 2. sticky.
        AssertFailsFast(log, "No space left on device");

        // 3. space comes back; reopen cuts the 100 torn bytes and keeps the four batches.
        log.Close();
        fileSystem.DiskFullAfterBytes = -1;
        PartitionLog reopened = harness.Open();
        Assert.Equal(100, reopened.LastRecovery.BytesTruncated);
        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        await harness.AppendAsync(reopened);
        reopened.Abandon();
        PartitionLog again = harness.Open();
        LogHarness.AssertHolds(again, harness.Acknowledged);
        again.Close();
    }

    [Fact]
    public async Task FailedWrite_DuringRoll_FailsTheLog_AndReopenRecovers()
    {
        using var harness = new LogHarness();
        var fileSystem = new FaultInjectingFileSystem { AppliesTo = path => path.EndsWith(".timeindex", StringComparison.Ordinal), FailWriteNumber = 1 };
        harness.FileSystem = fileSystem;

        // 1. fill the first segment; the roll writes the closed segment's time index, which fails.
        PartitionLog log = harness.Open();
        KafkaStorageException? failure = null;
        for (int i = 0; i < 20 && failure is null; i++)
        {
            try
            {
                await harness.AppendAsync(log);
            }
            catch (KafkaStorageException ex)
            {
                failure = ex;
            }
        }

        Assert.NotNull(failure);
        AssertFailsFast(log, "Injected write failure");

        // 2. reopen with a healthy disk: every acknowledged batch is there.
        log.Close();
        fileSystem.FailWriteNumber = 0;
        PartitionLog reopened = harness.Open();
        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        reopened.Close();
    }

    private static void AssertFailsFast(PartitionLog log, string cause)
    {
        byte[] batch = TestBatches.Create(1, 10, 1_000);
        KafkaStorageException append = Assert.Throws<KafkaStorageException>(
            () => { _ = log.AppendAsync(batch, 0, TestContext.Current.CancellationToken); });
        Assert.Contains(cause, append.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.KafkaStorageError, append.ErrorCode);
        KafkaStorageException read = Assert.Throws<KafkaStorageException>(() => log.Read(0, 1024, long.MaxValue, new ArrayBufferWriter<byte>()));
        Assert.Contains(cause, read.Message, StringComparison.Ordinal);
        KafkaStorageException flush = Assert.Throws<KafkaStorageException>(() => { _ = log.FlushAsync(TestContext.Current.CancellationToken); });
        Assert.Contains(cause, flush.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedLog_ReopensOnAFullDisk_ServingItsRecords_AndWritesOnceSpaceIsBack()
    {
        using var harness = new LogHarness();
        var fileSystem = new FaultInjectingFileSystem { AppliesTo = _ => true };
        harness.FileSystem = fileSystem;
        PartitionLog log = harness.Open();
        for (int i = 0; i < 5; i++)
        {
            await harness.AppendAsync(log);
        }

        // The disk fills up: the append fails, and so does everything recovery would like to write on reopen.
        fileSystem.DiskFullAfterBytes = fileSystem.BytesWritten;
        await Assert.ThrowsAsync<KafkaStorageException>(() => harness.AppendAsync(log));
        log.Close();

        PartitionLog reopened = harness.Open();

        Assert.False(reopened.LastRecovery.WasCleanShutdown);
        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        fileSystem.DiskFullAfterBytes = -1;
        await harness.AppendAsync(reopened);
        reopened.Close();
        PartitionLog afterSpaceCameBack = harness.Open();
        LogHarness.AssertHolds(afterSpaceCameBack, harness.Acknowledged);
        afterSpaceCameBack.Close();
    }

    [Fact]
    public async Task AFailedLog_DoesNotReopen_WhileItsFsyncsFail()
    {
        using var harness = new LogHarness();
        var fileSystem = new FaultInjectingFileSystem { AppliesTo = _ => true };
        harness.FileSystem = fileSystem;
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log);
        fileSystem.FailFlush = true;
        await Assert.ThrowsAsync<KafkaStorageException>(() => log.FlushAsync(TestContext.Current.CancellationToken));
        log.Close();

        // After a failed fsync the kernel may have dropped the dirty pages: opening must not pretend otherwise.
        KafkaStorageException reopen = Assert.Throws<KafkaStorageException>(() => harness.Open());
        Assert.Contains("Injected fsync failure", reopen.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANewPartitionDirectory_IsFsyncedInItsParent_BeforeAnAppendIsAcknowledgedAsDurable()
    {
        string root = Path.Combine(Path.GetTempPath(), "olog-dirsync-" + Guid.NewGuid().ToString("N")[..8]);
        string directory = Path.Combine(root, "orders-0");
        var fileSystem = new FaultInjectingFileSystem();
        using var scheduler = new CommitScheduler();
        try
        {
            PartitionLog log = PartitionLog.Open(directory, new PartitionLogOptions { FlushPolicy = FlushPolicy.Always }, scheduler, fileSystem: fileSystem);
            Assert.DoesNotContain(root, fileSystem.FlushedDirectories);

            await log.AppendAsync(TestBatches.Create(1, 10, 1, 1), 0, TestContext.Current.CancellationToken);

            Assert.Contains(root, fileSystem.FlushedDirectories);
            log.Close();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
