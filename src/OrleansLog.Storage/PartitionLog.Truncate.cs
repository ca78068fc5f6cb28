namespace OrleansLog.Storage;

/// <summary>Truncation for replication (Kafka <c>truncateTo</c>, KIP-101, and <c>truncateFullyAndStartAt</c>).</summary>
public sealed partial class PartitionLog
{
    /// <summary>
    /// Removes every record at and after <paramref name="offset"/>: later segments are deleted, the segment
    /// holding the offset is cut at a batch boundary (at the start of the batch that holds the offset, when
    /// the offset is inside a batch), its indexes and the leader-epoch cache drop what was cut, and the
    /// cut, the checkpoints and the recovery point are made durable before returning. A no-op at or past the
    /// log end. Appends waiting for an fsync of removed bytes fail. Synchronous file I/O. Owner only.
    /// </summary>
    /// <returns>The log end offset afterwards.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is below the log start offset.</exception>
    public long TruncateTo(long offset)
    {
        EnterOwner();
        try
        {
            ThrowIfFailed("truncate");
            if (offset >= LogEndOffset)
            {
                return LogEndOffset;
            }

            if (offset < LogStartOffset)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(offset), offset, $"Truncation of {Name} to offset {offset} would go below the log start offset {LogStartOffset}.");
            }

            LogSegment[] segments = Volatile.Read(ref _segments);
            int index = FindSegment(segments, offset);
            LogSegment segment = segments[index];
            long position = 0;
            long newEnd = segment.BaseOffset;
            if (offset > segment.BaseOffset)
            {
                if (!TryLocate(segment, offset, out position, out Records.RecordBatchHeader holder, out string? anomaly))
                {
                    throw Fail(new InvalidDataException(anomaly), $"truncate to offset {offset}");
                }

                newEnd = holder.BaseOffset;
            }

            Interlocked.Increment(ref _structureVersion);
            FailWaitersFrom(newEnd);
            Volatile.Write(ref _logEndOffset, newEnd);
            if (newEnd < LogStartOffset)
            {
                // The cut fell inside the batch that straddles the log start offset.
                Volatile.Write(ref _logStartOffset, newEnd);
                Interlocked.Exchange(ref _logStartCheckpointDirty, 1);
            }

            Volatile.Write(ref _segments, segments[..(index + 1)]);
            lock (_fileLock)
            {
                for (int i = index + 1; i < segments.Length; i++)
                {
                    segments[i].Delete(_fileSystem);
                }

                segment.TruncateTo(position, newEnd);
                segment.IsInactive = false;
                segment.IndexesSynced = false;
                segment.Log.Flush();
                segment.SyncedSize = position;
                _fileSystem.FlushDirectory(_directory);
                if (_leaderEpochCache.TruncateFromEnd(newEnd))
                {
                    Interlocked.Exchange(ref _epochCheckpointDirty, 1);
                }

                WriteCheckpoints(Math.Min(RecoveryPoint, newEnd));
            }

            LowerHighWatermarkCheckpoint(newEnd);
            LogTruncated(_logger, Name, offset, newEnd, segments.Length - index - 1);
            return newEnd;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail(ex, $"truncate to offset {offset}");
        }
        finally
        {
            ExitOwner();
        }
    }

    /// <summary>
    /// Empties the log and restarts it at <paramref name="offset"/> (Kafka <c>truncateFullyAndStartAt</c>):
    /// for a follower whose log end offset is below the leader's log start offset, or that must be emptied.
    /// Every segment and its indexes are deleted, the leader-epoch cache and its checkpoint are cleared, one
    /// empty active segment is created with base offset <paramref name="offset"/>, and the log start offset,
    /// log end offset and recovery point all become <paramref name="offset"/>, durably, before returning. The
    /// offset may lie below, inside or above the current log. Appends waiting for an fsync fail: their bytes
    /// are gone. Synchronous file I/O. Owner only.
    /// </summary>
    /// <remarks>
    /// The steps are ordered so that <see cref="Open"/> after a crash at any point finds either a contiguous
    /// run of the old segments or the new empty log, never old batches or old epochs in the new log. The
    /// loader keeps segments only while each starts where the previous one ends, and without the epoch
    /// checkpoint it rescans everything and takes the epochs from the batches it keeps. So the epoch
    /// checkpoint goes first; the new segment is created (and the directory fsynced) while the old segments
    /// below it still exist, so the directory is never empty, and an empty segment beside old ones either
    /// starts the log (the old ones no longer follow it) or is dropped as not following them; the
    /// checkpoints of the new log come last.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative; nothing changes.</exception>
    public void TruncateFullyAndStartAt(long offset)
    {
        if (offset < 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset), offset, $"{Name} cannot be truncated fully to start at offset {offset}: offsets are never negative.");
        }

        EnterOwner();
        LogSegment[] old = [];
        try
        {
            ThrowIfFailed("truncate fully");
            old = Volatile.Read(ref _segments);
            string reason = $"truncated fully to start at offset {offset}";

            FailWaitersFrom(old[0].BaseOffset);
            lock (_fileLock)
            {
                // Readers first see an empty log at the old start, then no segments (the commit scheduler,
                // shut out by the lock, never does). A read that began before a version bump retries instead
                // of taking the vanishing files for corruption; one that begins after the second bump never
                // touches an old segment.
                Volatile.Write(ref _logEndOffset, LogStartOffset);
                Interlocked.Increment(ref _structureVersion);
                Volatile.Write(ref _segments, []);
                Interlocked.Increment(ref _structureVersion);

                // 1. Without the epoch checkpoint a reload relearns the epochs from the batches that remain,
                //    so no crash from here on can pair old epochs with the new segment. An old segment with
                //    the new base offset is in the way of the new files.
                _leaderEpochCache.Replace([]);
                _fileSystem.DeleteFile(Path.Combine(_directory, LogFileNames.LeaderEpochCheckpoint));
                int sameBase = FindSegment(old, offset);
                if (sameBase >= 0 && old[sameBase].BaseOffset == offset)
                {
                    Remove(old[sameBase]);
                }
                else
                {
                    sameBase = -1;
                }

                _fileSystem.FlushDirectory(_directory);

                // 2. The new segment, published with its offsets in an order that keeps the readable range
                //    empty in between.
                LogSegment created = LogSegment.Create(_fileSystem, _directory, offset, _options);
                Volatile.Write(ref _segments, [created]);
                if (offset >= LogStartOffset)
                {
                    Volatile.Write(ref _logStartOffset, offset);
                    Volatile.Write(ref _logEndOffset, offset);
                }
                else
                {
                    Volatile.Write(ref _logEndOffset, offset);
                    Volatile.Write(ref _logStartOffset, offset);
                }

                _fileSystem.FlushDirectory(_directory);

                // 3. The rest of the old log. Whatever of it a crash leaves either does not follow the new
                //    segment (and is dropped) or is a run of the old log that the new segment does not follow.
                for (int i = 0; i < old.Length; i++)
                {
                    if (i != sameBase)
                    {
                        Remove(old[i]);
                    }
                }

                _fileSystem.FlushDirectory(_directory);

                // 4. The checkpoints of the new log: no epochs, and it starts and is durable at the offset.
                Interlocked.Exchange(ref _epochCheckpointDirty, 1);
                Interlocked.Exchange(ref _logStartCheckpointDirty, 1);
                WriteCheckpoints(offset);
            }

            LogTruncated(_logger, Name, offset, offset, old.Length);

            void Remove(LogSegment segment)
            {
                segment.Delete(_fileSystem);
                LogSegmentDeleted(_logger, Name, segment.LogPath, segment.Size, reason);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The old segments are out of the list, so closing the log would not release their files.
            foreach (LogSegment segment in old)
            {
                segment.Close();
            }

            throw Fail(ex, $"truncate fully to start at offset {offset}");
        }
        finally
        {
            ExitOwner();
        }
    }
}
