namespace OrleansLog.Storage;

/// <summary>Truncation for replication (Kafka <c>truncateTo</c>, KIP-101).</summary>
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
}
