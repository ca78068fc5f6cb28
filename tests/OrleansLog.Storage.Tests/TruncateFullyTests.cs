using System.Buffers;
using OrleansLog.Records;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects TruncateFullyAndStartAt (Kafka <c>truncateFullyAndStartAt</c>, for a follower that fell below
/// the leader's log start offset): whatever the new offset is relative to the old log, the log is left as
/// one empty segment there with no leader epochs, start = end = recovery point = the offset, nothing old
/// is readable or on disk, the next append continues there, and that state survives a close or a crash.
/// A crash at any step of the call reopens as a run of the old log or as the new one, never a mix; a
/// negative offset changes nothing; appends still waiting for their fsync fail.
/// </summary>
public sealed class TruncateFullyTests
{
    /// <summary>The old log's epochs: 0 for offsets 0..6, 1 for 7..13, 2 for 14..19.</summary>
    private static readonly EpochEntry[] OldEpochs = [new(0, 0), new(1, 7), new(2, 14)];

    [Theory]
    [InlineData(2)] // below the log start offset and below every segment
    [InlineData(9)] // inside a segment
    [InlineData(12)] // at the base offset of an old segment
    [InlineData(20)] // at the log end offset
    [InlineData(1_000)] // above the log end offset
    public async Task TruncateFullyAndStartAt_LeavesOneEmptySegmentAtTheOffset_AndTheLogContinuesThere(long offset)
    {
        using var harness = new LogHarness();
        PartitionLog log = await OpenOldLogAsync(harness);

        log.TruncateFullyAndStartAt(offset);

        AssertEmptyAt(log, offset);
        Assert.Equal(offset, log.RecoveryPoint);
        Assert.Equal(ExpectedFiles(offset), FileNames(harness.Directory));
        Assert.Equal("0\n0\n", File.ReadAllText(Path.Combine(harness.Directory, LogFileNames.LeaderEpochCheckpoint)));
        Assert.Equal($"0\n1\norders 0 {offset}\n", File.ReadAllText(Path.Combine(harness.Directory, LogFileNames.LogStartOffsetCheckpoint)));
        Assert.Equal($"0\n1\norders 0 {offset}\n", File.ReadAllText(Path.Combine(harness.Directory, LogFileNames.RecoveryPointCheckpoint)));
        if (offset > 0)
        {
            AssertOutOfRange(log, offset - 1);
        }

        AssertOutOfRange(log, offset + 1);

        // The next append gets the offset, is readable, and starts the leader-epoch cache again.
        byte[] next = TestBatches.Create(2, 50, 5_000);
        LogAppendInfo info = await log.AppendAsync(next, 1, TestContext.Current.CancellationToken);
        Assert.Equal(offset, info.BaseOffset);
        Assert.Equal(offset, RecordBatchHeader.Read(next).BaseOffset);
        LogHarness.AssertHolds(log, [next]);
        Assert.Equal([new EpochEntry(1, offset)], log.LeaderEpochCache.Entries);
        log.Close();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TruncateFullyAndStartAt_SurvivesAReopen_AfterACloseOrACrash(bool cleanClose)
    {
        using var harness = new LogHarness();
        const long Offset = 1_000;

        // 1. write the old log, truncate it fully, stop (cleanly or by crashing).
        PartitionLog log = await OpenOldLogAsync(harness);
        log.TruncateFullyAndStartAt(Offset);
        Stop(log, cleanClose);

        // 2. reopen: the same empty log at the offset, no epochs, no old file.
        PartitionLog reopened = harness.Open();
        Assert.Equal(cleanClose, reopened.LastRecovery.WasCleanShutdown);
        AssertEmptyAt(reopened, Offset);
        Assert.Equal(Offset, reopened.RecoveryPoint);
        Assert.Equal(ExpectedFiles(Offset), FileNames(harness.Directory));

        // 3. write again at the offset with a new epoch, stop the same way, reopen: all of it is there.
        byte[] next = TestBatches.Create(3, 50, 5_000);
        await reopened.AppendAsync(next, 4, TestContext.Current.CancellationToken);
        Assert.Equal(Offset, RecordBatchHeader.Read(next).BaseOffset);
        Stop(reopened, cleanClose);
        PartitionLog again = harness.Open();
        Assert.Equal(Offset, again.LogStartOffset);
        LogHarness.AssertHolds(again, [next]);
        Assert.Equal([new EpochEntry(4, Offset)], again.LeaderEpochCache.Entries);
        again.Close();
    }

    [Fact]
    public async Task TruncateFullyAndStartAt_ANegativeOffset_IsRefused_AndChangesNothing()
    {
        using var harness = new LogHarness();
        PartitionLog log = await OpenOldLogAsync(harness);
        await log.FlushAsync(TestContext.Current.CancellationToken);
        IReadOnlyList<long> bases = log.SegmentBaseOffsets;
        long recoveryPoint = log.RecoveryPoint;
        IReadOnlyList<EpochEntry> epochs = log.LeaderEpochCache.Entries;
        Dictionary<string, byte[]> files = Snapshot(harness.Directory);

        ArgumentOutOfRangeException refused = Assert.Throws<ArgumentOutOfRangeException>(() => log.TruncateFullyAndStartAt(-1));

        Assert.Equal("offset", refused.ParamName);
        Assert.Contains("orders-0", refused.Message, StringComparison.Ordinal);
        Assert.Contains("offset -1", refused.Message, StringComparison.Ordinal);
        Assert.False(log.IsFailed);
        Assert.Equal(8, log.LogStartOffset);
        Assert.Equal(bases, log.SegmentBaseOffsets);
        Assert.Equal(recoveryPoint, log.RecoveryPoint);
        Assert.Equal(epochs, log.LeaderEpochCache.Entries);
        Assert.Equal(files.Keys.Order(StringComparer.Ordinal), FileNames(harness.Directory));
        foreach ((string name, byte[] content) in files)
        {
            Assert.True(content.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(harness.Directory, name))), $"{name} changed");
        }

        LogHarness.AssertHolds(log, harness.Acknowledged[8..]);
        await harness.AppendAsync(log, epoch: 2);
        LogHarness.AssertHolds(log, harness.Acknowledged[8..]);
        log.Close();
    }

    [Fact]
    public async Task TruncateFullyAndStartAt_FailsTheAppendsStillWaitingForTheirFsync()
    {
        using var harness = new LogHarness();
        using var gate = new ManualResetEventSlim(false);
        var fileSystem = new FaultInjectingFileSystem();
        harness.FileSystem = fileSystem;
        harness.Options.FlushPolicy = FlushPolicy.Always;
        PartitionLog log = harness.Open();
        try
        {
            // 1. acknowledged appends over two segments.
            for (int i = 0; i < 8; i++)
            {
                await harness.AppendAsync(log);
            }

            // 2. the next append waits at the gate for its fsync.
            fileSystem.FlushGate = gate;
            int flushesBefore = fileSystem.FlushesStarted;
            Task<LogAppendInfo> pending = log.AppendAsync(TestBatches.Create(1, 100, 1_000, seed: 99), 0, TestContext.Current.CancellationToken).AsTask();
            await Wait.UntilAsync(() => fileSystem.FlushesStarted > flushesBefore, "the commit scheduler to start the held fsync");

            // 3. truncating fully fails it at once; the truncation itself finishes once the fsync is let go.
            Task truncation = Task.Run(() => log.TruncateFullyAndStartAt(50), TestContext.Current.CancellationToken);
            InvalidOperationException failure = await Assert.ThrowsAsync<InvalidOperationException>(
                () => Wait.ForAsync(pending, "the waiting append to fail when its bytes are truncated away"));
            Assert.Contains("truncated away", failure.Message, StringComparison.Ordinal);
            gate.Set();
            await Wait.ForAsync(truncation, "the truncation after the held fsync was released");

            // 4. the log is the new one and takes appends again.
            AssertEmptyAt(log, 50);
            Assert.False(log.IsFailed);
            LogAppendInfo info = await Wait.ForAsync(harness.AppendAsync(log), "an append after the truncation");
            Assert.Equal(50, info.BaseOffset);
        }
        finally
        {
            gate.Set();
            log.Close();
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(9)]
    [InlineData(12)]
    [InlineData(20)]
    [InlineData(1_000)]
    public async Task TruncateFullyAndStartAt_CrashAtAnyStep_ReopensAsARunOfTheOldLogOrAsTheNewOne(long offset)
    {
        bool sawNewLog = false;
        int oldRuns = 0;
        for (int crashAt = 1; ; crashAt++)
        {
            Assert.True(crashAt < 200, "TruncateFullyAndStartAt never got past the injected crash");
            using var harness = new LogHarness();
            var fileSystem = new CrashingFileSystem();
            harness.FileSystem = fileSystem;

            // 1. write the old log and make all of it durable.
            PartitionLog log = await OpenOldLogAsync(harness);
            await log.FlushAsync(TestContext.Current.CancellationToken);
            List<byte[]> old = harness.Acknowledged;

            // 2. crash at the crashAt-th change to the directory: everything before it is on disk, nothing after.
            fileSystem.Arm(crashAt);
            bool completed;
            try
            {
                log.TruncateFullyAndStartAt(offset);
                completed = true;
            }
            catch (KafkaStorageException ex)
            {
                Assert.Contains("Crash injected", ex.Message, StringComparison.Ordinal);
                completed = false;
            }

            fileSystem.Disarm();
            log.Abandon();

            // 3. reopen: the old log (possibly cut to a run of its segments) or the new empty one, and once the
            //    new one has appeared it stays.
            PartitionLog reopened = harness.Open();
            string step = $"crash at change {crashAt} of truncation to {offset}";
            bool isNew = reopened.SegmentBaseOffsets.SequenceEqual([offset]) && reopened.LogEndOffset == offset;
            if (isNew || sawNewLog || completed)
            {
                Assert.True(isNew, $"{step}: expected the new log, found {reopened}");
                AssertEmptyAt(reopened, offset);
                Assert.Equal(ExpectedFiles(offset), FileNames(harness.Directory));
                sawNewLog = true;
            }
            else
            {
                AssertRunOfOldLog(reopened, old, step);
                oldRuns++;
            }

            reopened.Close();
            if (completed)
            {
                Assert.True(crashAt > 10, $"only {crashAt - 1} directory changes were counted; the crash points do not cover the call");
                Assert.True(oldRuns > 0, "no crash point reopened as the old log");
                return;
            }
        }
    }

    /// <summary>
    /// 20 one-record batches (six per 1 KiB segment, so segments at 0, 6, 12 and 18) in epochs 0, 1 and 2,
    /// then DeleteRecordsBefore(8): the log is [8, 20) over segments 6, 12 and 18.
    /// </summary>
    private static async Task<PartitionLog> OpenOldLogAsync(LogHarness harness)
    {
        PartitionLog log = harness.Open();
        for (int i = 0; i < 20; i++)
        {
            await harness.AppendAsync(log, epoch: i / 7);
        }

        Assert.Equal(OldEpochs, log.LeaderEpochCache.Entries);
        Assert.Equal(8, log.DeleteRecordsBefore(8));
        Assert.Equal([6L, 12, 18], log.SegmentBaseOffsets);
        return log;
    }

    private static void AssertEmptyAt(PartitionLog log, long offset)
    {
        Assert.Equal(offset, log.LogStartOffset);
        Assert.Equal(offset, log.LogEndOffset);
        Assert.Equal([offset], log.SegmentBaseOffsets);
        Assert.Equal(0, log.SizeInBytes);
        Assert.Empty(log.LeaderEpochCache.Entries);
        Assert.Equal((LeaderEpochCache.UndefinedEpoch, LeaderEpochCache.UndefinedEpochOffset), log.LeaderEpochCache.EndOffsetFor(2));

        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult read = log.Read(offset, 1 << 20, long.MaxValue, buffer);
        Assert.Equal((ErrorCode.None, 0, -1L, offset, offset), (read.ErrorCode, read.BytesWritten, read.FirstBatchBaseOffset, read.LogStartOffset, read.LogEndOffset));
        Assert.Equal(0, buffer.WrittenCount);
        Assert.Null(log.OffsetForTimestamp(0));
        Assert.Empty(log.ReadBatchHeaders(offset));
    }

    /// <summary>
    /// The reopened log holds a contiguous run of the old batches, byte for byte at their old offsets, with
    /// the old log's epochs cut to that run, and no file of a segment it does not list.
    /// </summary>
    private static void AssertRunOfOldLog(PartitionLog log, List<byte[]> old, string step)
    {
        long start = log.LogStartOffset;
        long end = log.LogEndOffset;
        Assert.True(start <= end && end <= 20, $"{step}: the old log's offsets run to 20, found {log}");
        long expected = -1;
        foreach ((RecordBatchHeader header, byte[] bytes) in LogHarness.ReadAll(log, start))
        {
            Assert.True(expected < 0 || header.BaseOffset == expected, $"{step}: batch {header.BaseOffset} follows offset {expected - 1}");
            Assert.True(old[(int)header.BaseOffset].AsSpan().SequenceEqual(bytes), $"{step}: batch {header.BaseOffset} is not the old one");
            expected = header.NextOffset;
        }

        Assert.True(expected < 0 ? start == end : expected == end, $"{step}: the batches end at {expected}, the log at {end}");
        var epochs = new LeaderEpochCache(OldEpochs, () => end);
        epochs.TruncateFromEnd(end);
        epochs.TruncateFromStart(start);
        Assert.Equal(epochs.Entries, log.LeaderEpochCache.Entries);
        string[] segmentFiles = [.. FileNames(log.Directory).Where(name => !name.StartsWith(LogFileNames.LeaderEpochCheckpoint, StringComparison.Ordinal)
            && !name.EndsWith("-offset-checkpoint", StringComparison.Ordinal))];
        string[] listed = [.. log.SegmentBaseOffsets.SelectMany(baseOffset => SegmentFiles(baseOffset)).Order(StringComparer.Ordinal)];
        Assert.Equal(listed, segmentFiles);
    }

    private static void AssertOutOfRange(PartitionLog log, long offset)
    {
        LogReadResult read = log.Read(offset, 1 << 20, long.MaxValue, new ArrayBufferWriter<byte>());
        Assert.Equal(ErrorCode.OffsetOutOfRange, read.ErrorCode);
    }

    private static void Stop(PartitionLog log, bool cleanClose)
    {
        if (cleanClose)
        {
            log.Close();
        }
        else
        {
            log.Abandon();
        }
    }

    private static string[] SegmentFiles(long baseOffset)
    {
        string prefix = LogFileNames.FilenamePrefix(baseOffset);
        return [prefix + LogFileNames.IndexSuffix, prefix + LogFileNames.LogSuffix, prefix + LogFileNames.TimeIndexSuffix];
    }

    private static string[] ExpectedFiles(long offset) =>
    [
        .. SegmentFiles(offset),
        LogFileNames.LeaderEpochCheckpoint,
        LogFileNames.LogStartOffsetCheckpoint,
        LogFileNames.RecoveryPointCheckpoint,
    ];

    /// <summary>The log's files; a checkpoint's <c>.tmp</c> file exists only while the commit thread rewrites it.</summary>
    private static string[] FileNames(string directory) =>
        [.. DurableFiles(directory).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        DurableFiles(directory).ToDictionary(path => Path.GetFileName(path), File.ReadAllBytes);

    private static IEnumerable<string> DurableFiles(string directory) =>
        Directory.GetFiles(directory).Where(path => !path.EndsWith(".tmp", StringComparison.Ordinal));

    /// <summary>
    /// The real file system, but once armed the Nth change to the directory made on the arming thread
    /// (creating, renaming or deleting a file, or fsyncing the directory) throws instead of happening:
    /// reopening afterwards shows the directory as a crash at that point would leave it, with every earlier
    /// change durable. Changes made by the commit scheduler's thread are not counted, so the crash points
    /// are the same on every run.
    /// </summary>
    private sealed class CrashingFileSystem : ILogFileSystem
    {
        private readonly ILogFileSystem _inner = PhysicalLogFileSystem.Instance;
        private int _crashAt;
        private int _changes;
        private int _thread = -1;

        public void Arm(int crashAt)
        {
            _crashAt = crashAt;
            _changes = 0;
            Volatile.Write(ref _thread, Environment.CurrentManagedThreadId);
        }

        public void Disarm() => Volatile.Write(ref _thread, -1);

        public ILogFile OpenFile(string path, FileMode mode)
        {
            if (mode != FileMode.Open)
            {
                Change($"create '{path}'");
            }

            return _inner.OpenFile(path, mode);
        }

        public bool FileExists(string path) => _inner.FileExists(path);

        public bool DirectoryExists(string path) => _inner.DirectoryExists(path);

        public void CreateDirectory(string path) => _inner.CreateDirectory(path);

        public IReadOnlyList<string> GetFileNames(string directory) => _inner.GetFileNames(directory);

        public void DeleteFile(string path)
        {
            Change($"delete '{path}'");
            _inner.DeleteFile(path);
        }

        public void MoveFile(string source, string destination, bool overwrite)
        {
            Change($"rename '{source}' to '{destination}'");
            _inner.MoveFile(source, destination, overwrite);
        }

        public void DeleteDirectory(string path) => _inner.DeleteDirectory(path);

        public void FlushDirectory(string directory)
        {
            Change($"fsync '{directory}'");
            _inner.FlushDirectory(directory);
        }

        private void Change(string what)
        {
            if (Volatile.Read(ref _thread) == Environment.CurrentManagedThreadId && ++_changes == _crashAt)
            {
                throw new IOException($"Crash injected at directory change {_changes}: {what}.");
            }
        }
    }
}
