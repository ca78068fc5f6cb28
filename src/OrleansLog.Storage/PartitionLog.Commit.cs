using System.Collections.Concurrent;

namespace OrleansLog.Storage;

/// <summary>Durability: the work the <see cref="CommitScheduler"/> does for this log, and its waiters.</summary>
public sealed partial class PartitionLog
{
    private const int MaxPooledWaiters = 1024;

    /// <summary>Serialises fsyncs and checkpoint writes with segment deletion, truncation and close.</summary>
    private readonly object _fileLock = new();
    private readonly object _waiterLock = new();
    private readonly Queue<CommitWaiter> _appendWaiters = new();
    private readonly List<(long Offset, TaskCompletionSource Completion)> _flushWaiters = [];
    private readonly ConcurrentQueue<CommitWaiter> _waiterPool = new();
    private int _commitQueued;
    private int _fullFlushRequested;
    private int _epochCheckpointDirty = 1;
    private int _logStartCheckpointDirty;
    private int _directoryDirty;

    /// <summary>Set when this log created its directory: the parent is fsynced by the first flush.</summary>
    private int _parentDirectoryDirty;

    /// <summary>
    /// Fsyncs every segment and index with unflushed bytes, writes the leader-epoch, log-start-offset and
    /// recovery-point checkpoints, and advances <see cref="RecoveryPoint"/> to the log end offset seen when
    /// the flush started. Runs on the commit scheduler; any thread may call it.
    /// </summary>
    /// <exception cref="KafkaStorageException">The log has failed, now or earlier.</exception>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfFailed("flush");
        ThrowIfClosed();
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiterLock)
        {
            _flushWaiters.Add((LogEndOffset, completion));
        }

        if (!RequestFullFlush())
        {
            lock (_waiterLock)
            {
                _flushWaiters.RemoveAll(w => w.Completion == completion);
            }

            throw new ObjectDisposedException(nameof(CommitScheduler), $"Cannot flush {Name}: its commit scheduler is disposed.");
        }

        return completion.Task.WaitAsync(cancellationToken);
    }

    internal bool TryMarkCommitQueued() => Interlocked.Exchange(ref _commitQueued, 1) == 0;

    internal void RequestIntervalFlush()
    {
        if (!_closed && _failure is null)
        {
            _ = RequestFullFlush();
        }
    }

    /// <summary>Asks the scheduler for a full flush; false when the scheduler is disposed.</summary>
    private bool RequestFullFlush()
    {
        Interlocked.Exchange(ref _fullFlushRequested, 1);
        return _scheduler.Schedule(this);
    }

    /// <summary>One round of this log's durability work, on the commit scheduler's thread.</summary>
    internal void RunCommitWork()
    {
        Volatile.Write(ref _commitQueued, 0);
        bool full = Interlocked.Exchange(ref _fullFlushRequested, 0) != 0;
        long durable = -1;
        Exception? error = null;
        lock (_fileLock)
        {
            if (_closed)
            {
                return;
            }

            if (_failure is not null)
            {
                error = StorageError("fsync");
            }
            else
            {
                try
                {
                    durable = SyncCore(full);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
                {
                    error = Fail(ex, "fsync");
                }
            }

            // Still under the file lock: a truncation (which takes it) cannot slip in between, fail the
            // waiters of the bytes it cuts, and let appends at the same offsets be completed by this round's
            // offset although their bytes were never synced. Continuations run elsewhere (see CommitWaiter).
            CompleteWaiters(durable, full, error);
        }
    }

    /// <summary>
    /// Fsyncs what is dirty and, when <paramref name="full"/>, writes the checkpoints and moves the recovery
    /// point; returns the log end offset every fsynced byte covers. Caller holds <see cref="_fileLock"/>.
    /// </summary>
    private long SyncCore(bool full)
    {
        long logEndOffset = LogEndOffset;
        LogSegment[] segments = Volatile.Read(ref _segments);
        if (Interlocked.Exchange(ref _parentDirectoryDirty, 0) != 0
            && Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(_directory)) is { Length: > 0 } parent)
        {
            _fileSystem.FlushDirectory(parent);
        }

        if (Interlocked.Exchange(ref _directoryDirty, 0) != 0)
        {
            _fileSystem.FlushDirectory(_directory);
        }

        // Unsynced data is always a suffix of the segment list: only the active segment grows, and every
        // round syncs everything unsynced. So walk back until an inactive segment that is fully synced.
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            LogSegment segment = segments[i];
            bool indexesDone = !segment.IsInactive || segment.IndexesSynced;
            long size = segment.Size;
            if (segment.IsInactive && indexesDone && segment.SyncedSize >= size)
            {
                break;
            }

            if (segment.SyncedSize < size)
            {
                segment.Log.Flush();
                _scheduler.CountFsync();
                segment.SyncedSize = size;
            }

            if (!indexesDone)
            {
                segment.OffsetIndex.File.Flush();
                segment.TimeIndex.File.Flush();
                segment.IndexesSynced = true;
            }
        }

        if (full)
        {
            WriteCheckpoints(logEndOffset);
        }

        return logEndOffset;
    }

    /// <summary>Writes the dirty checkpoints and then the recovery point. Caller holds <see cref="_fileLock"/>.</summary>
    private void WriteCheckpoints(long recoveryPoint)
    {
        if (Interlocked.Exchange(ref _epochCheckpointDirty, 0) != 0)
        {
            LeaderEpochCheckpointFile.Write(
                _fileSystem, Path.Combine(_directory, LogFileNames.LeaderEpochCheckpoint), _leaderEpochCache.Entries);
        }

        if (Interlocked.Exchange(ref _logStartCheckpointDirty, 0) != 0)
        {
            OffsetCheckpointFile.Write(
                _fileSystem, Path.Combine(_directory, LogFileNames.LogStartOffsetCheckpoint), _topic, _partition, LogStartOffset);
        }

        OffsetCheckpointFile.Write(
            _fileSystem, Path.Combine(_directory, LogFileNames.RecoveryPointCheckpoint), _topic, _partition, recoveryPoint);
        Volatile.Write(ref _recoveryPoint, recoveryPoint);
    }

    /// <summary>
    /// Completes the append waiters the fsync covered (next offset ≤ <paramref name="durable"/>) and the
    /// flush waiters when a full flush ran; with <paramref name="error"/>, fails every waiter instead.
    /// </summary>
    private void CompleteWaiters(long durable, bool fullFlushDone, Exception? error)
    {
        lock (_waiterLock)
        {
            while (_appendWaiters.TryPeek(out CommitWaiter? waiter)
                && (error is not null || waiter.Info.NextOffset <= durable))
            {
                _appendWaiters.Dequeue();
                if (error is null)
                {
                    waiter.Complete();
                }
                else
                {
                    waiter.Fail(error);
                }
            }

            for (int i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                (long offset, TaskCompletionSource completion) = _flushWaiters[i];
                if (error is not null)
                {
                    completion.TrySetException(error);
                    _flushWaiters.RemoveAt(i);
                }
                else if (fullFlushDone && offset <= durable)
                {
                    completion.TrySetResult();
                    _flushWaiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Fails waiters for offsets at or after <paramref name="offset"/>: truncation removed their bytes.</summary>
    private void FailWaitersFrom(long offset)
    {
        lock (_waiterLock)
        {
            int count = _appendWaiters.Count;
            for (int i = 0; i < count; i++)
            {
                CommitWaiter waiter = _appendWaiters.Dequeue();
                if (waiter.Info.NextOffset > offset)
                {
                    waiter.Fail(new InvalidOperationException(
                        $"The append of offsets {waiter.Info.BaseOffset}..{waiter.Info.LastOffset} to {Name} was truncated away (at offset {offset}) before it was flushed."));
                }
                else
                {
                    _appendWaiters.Enqueue(waiter);
                }
            }
        }
    }

    private void ReturnWaiter(CommitWaiter waiter)
    {
        if (_waiterPool.Count < MaxPooledWaiters)
        {
            _waiterPool.Enqueue(waiter);
        }
    }
}
