namespace OrleansLog.Storage;

/// <summary>Retention and DeleteRecords: whole closed segments leave from the front; the log start offset advances.</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Deletes closed segments from the front of the log (Kafka <c>deleteOldSegments</c>): those entirely
    /// below the log start offset, those whose largest timestamp is older than
    /// <see cref="PartitionLogOptions.RetentionMs"/>, and the oldest ones while the partition without them is
    /// still at least <see cref="PartitionLogOptions.RetentionBytes"/>. The active segment is never deleted,
    /// and neither is a segment that reaches <paramref name="highWatermark"/>: records not yet on every in-sync
    /// replica stay whatever their age or the partition's size, as in Kafka (whose retention deletes only below
    /// the high watermark) — a follower that restarted at a log start above them would otherwise let the high
    /// watermark jump over records nobody else holds.
    /// The log start offset moves to the first remaining segment and is checkpointed before any file goes.
    /// Synchronous file I/O: call it from the log manager's background retention pass. Owner only.
    /// </summary>
    /// <param name="highWatermark">The partition's high watermark; only segments wholly below it may go.</param>
    public RetentionResult ApplyRetention(long highWatermark)
    {
        EnterOwner();
        try
        {
            ThrowIfFailed("retention");
            LogSegment[] segments = Volatile.Read(ref _segments);
            long now = NowMs();
            long logStartOffset = LogStartOffset;
            long excessBytes = _options.RetentionBytes >= 0 ? SizeInBytes - _options.RetentionBytes : 0;
            int byTime = 0;
            int bySize = 0;
            int belowStart = 0;
            long deletedBytes = 0;
            int count = 0;
            for (; count < segments.Length - 1; count++)
            {
                LogSegment segment = segments[count];
                long size = segment.Size;
                if (segments[count + 1].BaseOffset > highWatermark)
                {
                    break;
                }

                if (segments[count + 1].BaseOffset <= logStartOffset)
                {
                    belowStart++;
                }
                else if (_options.RetentionMs >= 0 && now - segment.MaxTimestamp > _options.RetentionMs)
                {
                    byTime++;
                }
                else if (_options.RetentionBytes >= 0 && excessBytes - size >= 0)
                {
                    bySize++;
                }
                else
                {
                    break;
                }

                excessBytes -= size;
                deletedBytes += size;
            }

            if (count > 0)
            {
                DeleteFrontSegments(count, Math.Max(logStartOffset, segments[count].BaseOffset), "retention");
            }

            return new RetentionResult(count, deletedBytes, byTime, bySize, belowStart, LogStartOffset);
        }
        finally
        {
            ExitOwner();
        }
    }

    /// <summary>
    /// Kafka DeleteRecords: moves the log start offset up to <paramref name="offset"/> (reads below it then
    /// get <see cref="ErrorCode.OffsetOutOfRange"/>), checkpoints it, and deletes the closed segments that lie
    /// entirely below it. A no-op when the log already starts at or after it. Owner only.
    /// </summary>
    /// <returns>The log start offset afterwards.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is above the log end offset.</exception>
    public long DeleteRecordsBefore(long offset)
    {
        EnterOwner();
        try
        {
            ThrowIfFailed("delete records");
            long logEndOffset = LogEndOffset;
            if (offset > logEndOffset)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(offset), offset, $"DeleteRecords on {Name}: offset {offset} is above the log end offset {logEndOffset}.");
            }

            if (offset <= LogStartOffset)
            {
                return LogStartOffset;
            }

            LogSegment[] segments = Volatile.Read(ref _segments);
            int count = 0;
            while (count < segments.Length - 1 && segments[count + 1].BaseOffset <= offset)
            {
                count++;
            }

            DeleteFrontSegments(count, offset, $"DeleteRecords before offset {offset}");
            return LogStartOffset;
        }
        finally
        {
            ExitOwner();
        }
    }

    /// <summary>
    /// Advances the log start offset, checkpoints it, then unlinks the first <paramref name="count"/> segments
    /// (never the active one) and deletes their files. Readers on the old list notice and retry.
    /// </summary>
    private void DeleteFrontSegments(int count, long newLogStartOffset, string reason)
    {
        LogSegment[] segments = Volatile.Read(ref _segments);
        if (count >= segments.Length)
        {
            throw new InvalidOperationException($"Refusing to delete the active segment of {Name}.");
        }

        try
        {
            Interlocked.Increment(ref _structureVersion);
            if (newLogStartOffset > LogStartOffset)
            {
                Volatile.Write(ref _logStartOffset, newLogStartOffset);
                if (_leaderEpochCache.TruncateFromStart(newLogStartOffset))
                {
                    Interlocked.Exchange(ref _epochCheckpointDirty, 1);
                }

                lock (_fileLock)
                {
                    OffsetCheckpointFile.Write(
                        _fileSystem, Path.Combine(_directory, LogFileNames.LogStartOffsetCheckpoint), _topic, _partition, newLogStartOffset);
                }
            }

            if (count == 0)
            {
                return;
            }

            Volatile.Write(ref _segments, segments[count..]);
            lock (_fileLock)
            {
                for (int i = 0; i < count; i++)
                {
                    segments[i].Delete(_fileSystem);
                    LogSegmentDeleted(_logger, Name, segments[i].LogPath, segments[i].Size, reason);
                }

                _fileSystem.FlushDirectory(_directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail(ex, reason);
        }
    }
}
