using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansLog.Storage;

/// <summary>
/// The durable log of one partition replica (Kafka <c>UnifiedLog</c> + <c>LocalLog</c>): an ordered list of
/// <see cref="LogSegment"/>s addressed by dense 64-bit offsets, with recovery, retention, truncation and
/// fsync policy.
/// <para><b>Directory:</b> <c>{topic}-{partition}</c> holding <c>{baseOffset:D20}.log</c> segments with
/// <c>.index</c> and <c>.timeindex</c>, plus <c>leader-epoch-checkpoint</c>
/// (<see cref="LeaderEpochCheckpointFile"/>), <c>recovery-point-offset-checkpoint</c> and
/// <c>log-start-offset-checkpoint</c> (<see cref="OffsetCheckpointFile"/>), <c>replication-offset-checkpoint</c>
/// (the high watermark replication last recorded) and, only while closed cleanly,
/// <c>.kafka_cleanshutdown</c> (<see cref="CleanShutdownMarker"/>). Byte layouts are documented on those
/// types; the .log holds Kafka RecordBatch v2 bytes exactly as appended.</para>
/// <para><b>Crash behaviour:</b> everything below the recovery point was fsynced together with its
/// indexes and the checkpoints. <see cref="Open"/> without a valid clean-shutdown marker rescans every
/// segment from the one holding the recovery point, validates each batch (length, magic 2, CRC-32C,
/// contiguous offsets, lastOffsetDelta ≥ 0), cuts at the first bad byte, deletes all later segments,
/// rebuilds the indexes and the leader-epoch entries it rescanned and reports it all in
/// <see cref="LastRecovery"/>. With a valid marker it trusts the files but still checks the indexes and the
/// active segment's tail. Indexes are caches: rebuilt whenever missing or implausible, and a read never
/// trusts an index entry the log does not confirm.</para>
/// <para><b>Failure is sticky:</b> the first failed write or fsync keeps its cause in the log; from then on
/// every append, read and flush throws <see cref="KafkaStorageException"/> naming that cause, a failed
/// fsync is never retried, and only <see cref="Open"/> (which reruns recovery) brings the data back.</para>
/// <para><b>Thread-safety:</b> one owner (the partition grain or log manager) calls the writing members
/// from one thread at a time: <see cref="AppendAsync"/>, <see cref="AppendAsFollowerAsync"/>,
/// <see cref="Roll"/>, <see cref="TruncateTo"/>, <see cref="DeleteRecordsBefore"/>,
/// <see cref="ApplyRetention"/>, <see cref="Close"/>, <see cref="Delete"/>; a second concurrent writer is
/// detected and rejected. Any thread may call <see cref="Read"/>, <see cref="ReadBatchHeaders"/>,
/// <see cref="OffsetForTimestamp"/>, <see cref="FlushAsync"/> and the properties at the same time as the
/// owner appends: the segment list is an immutable array replaced on roll and delete, and each append
/// publishes the segment size and then <see cref="LogEndOffset"/> with <see cref="Volatile"/> after its
/// bytes are written. A read racing with truncation or segment deletion notices the change and retries on
/// the new state. fsyncs run on the <see cref="CommitScheduler"/>'s thread.</para>
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private const int MaxReadRetries = 3;

    private readonly string _directory;
    private readonly string _topic;
    private readonly int _partition;
    private PartitionLogOptions _options;
    private readonly CommitScheduler _scheduler;
    private readonly ILogFileSystem _fileSystem;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly LeaderEpochCache _leaderEpochCache;

    private LogSegment[] _segments = [];
    private long _logEndOffset;
    private long _logStartOffset;
    private long _recoveryPoint;
    private Exception? _failure;
    private int _ownerBusy;
    private int _structureVersion;
    private volatile bool _closed;
    private ITimer? _intervalFlushTimer;
    private readonly Action<CommitWaiter> _returnWaiter;

    private PartitionLog(
        string directory,
        PartitionLogOptions options,
        CommitScheduler scheduler,
        ILogger logger,
        TimeProvider timeProvider,
        ILogFileSystem fileSystem)
    {
        _directory = directory;
        Name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
        (_topic, _partition) = LogFileNames.ParseTopicPartition(Name);
        _options = options;
        _scheduler = scheduler;
        _logger = logger;
        _timeProvider = timeProvider;
        _fileSystem = fileSystem;
        _leaderEpochCache = new LeaderEpochCache([], () => LogEndOffset);
        _returnWaiter = ReturnWaiter;
    }

    /// <summary>The topic-partition name: the directory's name, <c>{topic}-{partition}</c>.</summary>
    public string Name { get; }

    /// <summary>The partition directory.</summary>
    public string Directory => _directory;

    /// <summary>The file system this log's files live on (its companions, such as producer-state snapshots, use it too).</summary>
    public ILogFileSystem FileSystem => _fileSystem;

    /// <summary>First offset that may be read; advanced by retention and <see cref="DeleteRecordsBefore"/>.</summary>
    public long LogStartOffset => Volatile.Read(ref _logStartOffset);

    /// <summary>The offset the next appended record gets.</summary>
    public long LogEndOffset => Volatile.Read(ref _logEndOffset);

    /// <summary>Offsets below this are fsynced and checkpointed; recovery rescans from its segment.</summary>
    public long RecoveryPoint => Volatile.Read(ref _recoveryPoint);

    /// <summary>Bytes of all segments' .log files.</summary>
    public long SizeInBytes
    {
        get
        {
            long total = 0;
            foreach (LogSegment segment in Volatile.Read(ref _segments))
            {
                total += segment.Size;
            }

            return total;
        }
    }

    /// <summary>Number of segments, the active one included.</summary>
    public int SegmentCount => Volatile.Read(ref _segments).Length;

    /// <summary>Base offsets of the segments, oldest first.</summary>
    public IReadOnlyList<long> SegmentBaseOffsets => Array.ConvertAll(Volatile.Read(ref _segments), s => s.BaseOffset);

    /// <summary>Epoch → start offset of this replica, for replication (OffsetForLeaderEpoch).</summary>
    public LeaderEpochCache LeaderEpochCache => _leaderEpochCache;

    /// <summary>What the last <see cref="Open"/> found and repaired.</summary>
    public RecoveryReport LastRecovery { get; private set; } = null!;

    /// <summary>The options the log was opened with (a copy).</summary>
    public PartitionLogOptions Options => _options;

    /// <summary>True once a write or fsync failed; see <see cref="KafkaStorageException"/>.</summary>
    public bool IsFailed => Volatile.Read(ref _failure) is not null;

    internal LogSegment[] Segments => Volatile.Read(ref _segments);

    internal LogSegment ActiveSegment => Volatile.Read(ref _segments)[^1];

    /// <summary>Base offset of the segment appends go to now; it changes when the log rolls.</summary>
    public long ActiveSegmentBaseOffset => ActiveSegment.BaseOffset;

    /// <summary>
    /// Opens (creating when missing) the log in <paramref name="directory"/> and runs recovery; see the type
    /// comment. Throws <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> for bad options
    /// and <see cref="KafkaStorageException"/> when the files cannot be read or repaired.
    /// </summary>
    /// <param name="directory">The partition directory, named <c>{topic}-{partition}</c>.</param>
    /// <param name="options">Settings; validated and copied.</param>
    /// <param name="commitScheduler">The host's group-commit loop, shared by all logs of the process.</param>
    /// <param name="logger">Receives recovery reports, rolls, deletions and failures.</param>
    /// <param name="timeProvider">Clock for append times, segment age and retention; the scheduler's by default.</param>
    /// <param name="fileSystem">File access; <see cref="PhysicalLogFileSystem"/> by default.</param>
    public static PartitionLog Open(
        string directory,
        PartitionLogOptions options,
        CommitScheduler commitScheduler,
        ILogger? logger = null,
        TimeProvider? timeProvider = null,
        ILogFileSystem? fileSystem = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(commitScheduler);
        PartitionLogOptionsValidator.ThrowIfInvalid(options);
        var log = new PartitionLog(
            Path.GetFullPath(directory),
            options.Clone(),
            commitScheduler,
            logger ?? NullLogger.Instance,
            timeProvider ?? commitScheduler.TimeProvider,
            fileSystem ?? PhysicalLogFileSystem.Instance);
        try
        {
            log.Load();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            log.ReleaseFiles();
            throw new KafkaStorageException(
                $"Cannot open the log of {log.Name} in '{log._directory}': {ex.Message}", ex);
        }
        catch
        {
            log.ReleaseFiles();
            throw;
        }

        if (log._options.FlushPolicy == FlushPolicy.Interval)
        {
            log._intervalFlushTimer = commitScheduler.StartIntervalFlush(log, log._options.FlushIntervalMs);
        }

        return log;
    }

    /// <summary>
    /// Flushes everything, writes the checkpoints and the clean-shutdown marker, and releases the files, so
    /// the next <see cref="Open"/> skips the rescan. On a failed log it only releases the files (no marker:
    /// the next open recovers). Appends still waiting for an fsync complete (or fail with the log). Owner only.
    /// </summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        EnterOwner();
        try
        {
            _intervalFlushTimer?.Dispose();
            long durable = -1;
            if (_failure is null)
            {
                try
                {
                    LogSegment active = ActiveSegment;
                    active.WriteIndexesOut(final: true);
                    active.IsInactive = true;
                    lock (_fileLock)
                    {
                        durable = SyncCore(full: true);
                        CleanShutdownMarker.Write(
                            _fileSystem, _directory, new CleanShutdownMarker.State(LogEndOffset, active.BaseOffset, active.Size));
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Fail(ex, "close");
                }
            }

            CompleteWaiters(durable, fullFlushDone: durable >= 0, _failure is null ? null : StorageError("close"));
            ReleaseFiles();
        }
        finally
        {
            ExitOwner();
        }
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    /// <summary>Closes the log (if open) without flushing and removes its whole directory (topic deletion). Owner only.</summary>
    public void Delete()
    {
        _intervalFlushTimer?.Dispose();
        ReleaseFiles();
        CompleteWaiters(-1, fullFlushDone: false, new ObjectDisposedException(Name, $"The log of {Name} was deleted."));
        _fileSystem.DeleteDirectory(_directory);
    }

    /// <summary>
    /// Drops the log as a crash would: no flush, no checkpoints, no marker; bytes already written stay in
    /// the page cache. Tests use it to stage unclean shutdowns.
    /// </summary>
    internal void Abandon()
    {
        _intervalFlushTimer?.Dispose();
        ReleaseFiles();
        CompleteWaiters(-1, fullFlushDone: false, new ObjectDisposedException(Name, $"The log of {Name} was abandoned."));
    }

    /// <summary>
    /// Closes the active segment and starts a new one at <see cref="LogEndOffset"/> (Kafka <c>roll</c>); a
    /// no-op when the active segment is empty. Appends roll by themselves; retention and tests call this.
    /// Owner only.
    /// </summary>
    public void Roll()
    {
        EnterOwner();
        try
        {
            ThrowIfFailed("roll");
            if (ActiveSegment.Size > 0)
            {
                RollCore("requested");
            }
        }
        finally
        {
            ExitOwner();
        }
    }

    private void RollCore(string reason)
    {
        LogSegment old = ActiveSegment;
        long baseOffset = LogEndOffset;
        LogSegment created;
        try
        {
            old.WriteIndexesOut(final: true);
            old.IsInactive = true;
            created = LogSegment.Create(_fileSystem, _directory, baseOffset, _options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail(ex, $"roll to a new segment at offset {baseOffset}");
        }

        LogSegment[] segments = Volatile.Read(ref _segments);
        Volatile.Write(ref _segments, [.. segments, created]);
        Interlocked.Exchange(ref _directoryDirty, 1);
        LogSegmentRolled(_logger, Name, old.BaseOffset, old.Size, baseOffset, reason);
        // Kafka flushes the closed segment right after a roll and moves the recovery point past it.
        _ = RequestFullFlush();
    }

    private void ReleaseFiles()
    {
        lock (_fileLock)
        {
            _closed = true;
            foreach (LogSegment segment in Volatile.Read(ref _segments))
            {
                segment.Close();
            }
        }
    }

    /// <summary>Guards the single-writer rule, cheaply, in Release too.</summary>
    private void EnterOwner()
    {
        if (Interlocked.Exchange(ref _ownerBusy, 1) != 0)
        {
            throw new InvalidOperationException(
                $"The log of {Name} is already being changed by another call; appends, truncation, retention and close must come from one owner at a time.");
        }

        if (_closed)
        {
            Volatile.Write(ref _ownerBusy, 0);
            throw new ObjectDisposedException(Name, $"The log of {Name} is closed.");
        }
    }

    private void ExitOwner() => Volatile.Write(ref _ownerBusy, 0);

    /// <summary>Records the first failure (later ones keep the first cause) and returns the exception to throw.</summary>
    private KafkaStorageException Fail(Exception cause, string operation)
    {
        if (Interlocked.CompareExchange(ref _failure, cause, null) is null)
        {
            LogFailed(_logger, cause, Name, operation, cause.Message);
        }

        return StorageError(operation);
    }

    private KafkaStorageException StorageError(string operation)
    {
        Exception cause = Volatile.Read(ref _failure)!;
        return new KafkaStorageException(
            $"The log of {Name} in '{_directory}' failed earlier and is read-only until it is reopened; {operation} refused. Cause: {cause.GetType().Name}: {cause.Message}",
            cause);
    }

    private void ThrowIfFailed(string operation)
    {
        if (Volatile.Read(ref _failure) is not null)
        {
            throw StorageError(operation);
        }
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new ObjectDisposedException(Name, $"The log of {Name} is closed.");
        }
    }

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public override string ToString() => $"PartitionLog {Name} [{LogStartOffset}, {LogEndOffset}) in {_directory}";
}
