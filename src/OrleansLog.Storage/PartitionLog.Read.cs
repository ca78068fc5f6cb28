using System.Buffers;
using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Storage;

/// <summary>Reads: fetch, ListOffsets by time, and header walks. Safe on any thread, concurrently with the owner.</summary>
public sealed partial class PartitionLog
{
    private const int LocateBufferBytes = 4096;

    /// <summary>
    /// Copies whole stored batches, starting with the batch that holds <paramref name="offset"/>, into
    /// <paramref name="destination"/> (Kafka fetch semantics): never a batch whose base offset is ≥
    /// <paramref name="maxOffset"/> (the grain passes the high watermark), always at least one whole batch
    /// even when it is larger than <paramref name="maxBytes"/>, then as many whole batches as fit. Reading
    /// may continue into later segments. Bytes are copied with positioned reads straight into the
    /// destination's memory.
    /// </summary>
    /// <returns>
    /// <see cref="ErrorCode.OffsetOutOfRange"/> when <paramref name="offset"/> is below
    /// <see cref="LogStartOffset"/> or above <see cref="LogEndOffset"/>; at exactly the log end, or at or
    /// above <paramref name="maxOffset"/>, success with zero bytes.
    /// </returns>
    /// <exception cref="KafkaStorageException">The log has failed, or the segment bytes are corrupt.</exception>
    public LogReadResult Read(long offset, int maxBytes, long maxOffset, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        for (int attempt = 0; ; attempt++)
        {
            ThrowIfFailed("read");
            ThrowIfClosed();
            int version = Volatile.Read(ref _structureVersion);
            string? anomaly;
            try
            {
                if (TryRead(offset, maxBytes, maxOffset, destination, out LogReadResult result, out anomaly))
                {
                    return result;
                }
            }
            catch (ObjectDisposedException) when (!_closed)
            {
                anomaly = "a segment was deleted during the read";
            }

            if (Volatile.Read(ref _structureVersion) == version || attempt == MaxReadRetries)
            {
                // Nothing was truncated or deleted meanwhile, so the bytes below the published end are bad.
                ThrowIfClosed();
                throw Fail(new InvalidDataException(anomaly), $"read at offset {offset}");
            }
        }
    }

    private bool TryRead(
        long offset, int maxBytes, long maxOffset, IBufferWriter<byte> destination, out LogReadResult result, out string? anomaly)
    {
        // Log end first, then the segments: the segment list and sizes are at least as new as the end.
        long logEndOffset = LogEndOffset;
        long logStartOffset = LogStartOffset;
        LogSegment[] segments = Volatile.Read(ref _segments);
        anomaly = null;
        if (offset < logStartOffset || offset > logEndOffset)
        {
            result = new LogReadResult(
                ErrorCode.OffsetOutOfRange, 0, -1, offset, logStartOffset, logEndOffset,
                $"Offset {offset} is out of range for {Name}: the log holds offsets [{logStartOffset}, {logEndOffset}) " +
                $"(log start offset {logStartOffset}, log end offset {logEndOffset}; reading at the log end returns nothing).");
            return true;
        }

        result = new LogReadResult(ErrorCode.None, 0, -1, offset, logStartOffset, logEndOffset, null);

        // A segment's size is published before the log end offset, so bytes past the end seen above may
        // already be visible; serving them would let the caller's next offset run ahead of the log end.
        maxOffset = Math.Min(maxOffset, logEndOffset);
        if (offset == logEndOffset || offset >= maxOffset)
        {
            return true;
        }

        int segmentIndex = FindSegment(segments, offset);
        if (segmentIndex < 0 || !TryLocate(segments[segmentIndex], offset, out long position, out RecordBatchHeader first, out anomaly))
        {
            anomaly ??= $"no segment holds offset {offset}";
            return false;
        }

        long written = 0;
        long expected = first.BaseOffset;
        LogSegment segment = segments[segmentIndex];
        while (true)
        {
            long segmentEnd = segment.Size;
            long want = Math.Min(maxBytes - written, segmentEnd - position);
            if (written == 0)
            {
                want = Math.Max(want, first.SizeInBytes);
            }

            if (want <= 0)
            {
                break;
            }

            Span<byte> span = destination.GetSpan((int)want)[..(int)want];
            int read = BatchScanner.ReadFully(segment.Log, span, position);
            int accepted = 0;
            bool stop = false;
            while (accepted + RecordBatchLayout.HeaderSize <= read)
            {
                ReadOnlySpan<byte> batch = span[accepted..read];
                long size = (long)RecordBatchHeader.ReadBatchLength(batch) + RecordBatchLayout.LogOverhead;
                long baseOffset = BinaryPrimitives.ReadInt64BigEndian(batch);
                if (size < RecordBatchLayout.HeaderSize || batch[RecordBatchLayout.MagicPosition] != RecordBatchLayout.CurrentMagic
                    || baseOffset != expected)
                {
                    anomaly = $"the batch at position {position + accepted} of '{segment.LogPath}' has baseOffset {baseOffset}, " +
                        $"size {size}, magic {batch[RecordBatchLayout.MagicPosition]}; expected baseOffset {expected}";
                    stop = true;
                    break;
                }

                if (accepted + size > read)
                {
                    break;
                }

                if (baseOffset >= maxOffset || (written + accepted > 0 && written + accepted + size > maxBytes))
                {
                    stop = true;
                    anomaly = null;
                    break;
                }

                accepted += (int)size;
                expected = baseOffset + BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaPosition..]) + 1;
            }

            if (accepted == 0 && written == 0)
            {
                anomaly ??= $"only {read} of {want} bytes could be read at position {position} of '{segment.LogPath}'";
                return false;
            }

            destination.Advance(accepted);
            written += accepted;
            position += accepted;
            if (stop || written >= maxBytes || position < segmentEnd)
            {
                break;
            }

            if (++segmentIndex >= segments.Length)
            {
                break;
            }

            segment = segments[segmentIndex];
            position = 0;
            if (segment.BaseOffset != expected)
            {
                break;
            }
        }

        anomaly = null;
        result = result with { BytesWritten = (int)written, FirstBatchBaseOffset = first.BaseOffset, NextOffset = expected };
        return true;
    }

    /// <summary>
    /// Finds the batch holding <paramref name="offset"/> in <paramref name="segment"/>: the offset index gives
    /// a start position, the batch header there must confirm it, and headers are walked from there. An entry
    /// the log does not confirm marks the index suspect (rebuilt by the owner) and the walk restarts at 0.
    /// </summary>
    private bool TryLocate(LogSegment segment, long offset, out long position, out RecordBatchHeader header, out string? anomaly)
    {
        (long Offset, int Position)? entry = segment.IsIndexSuspect ? null : segment.OffsetIndex.Lookup(offset);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(LocateBufferBytes);
        try
        {
            while (true)
            {
                long end = segment.Size;
                var scanner = new BatchScanner(segment.Log, entry?.Position ?? 0, end, buffer, verifyCrc: false);
                long expectedBase = entry is null ? segment.BaseOffset : -1;
                bool first = true;
                bool indexWrong = false;
                while (true)
                {
                    position = scanner.Position;
                    BatchFrameStatus status = scanner.Next(out header, out string? detail);
                    bool mismatch = status != BatchFrameStatus.Valid
                        || (first && entry is { } e && header.LastOffset != e.Offset)
                        || (expectedBase >= 0 && header.BaseOffset != expectedBase);
                    if (mismatch)
                    {
                        if (first && entry is not null)
                        {
                            indexWrong = true;
                            break;
                        }

                        anomaly = status == BatchFrameStatus.EndOfData
                            ? $"offset {offset} is not in '{segment.LogPath}' ({segment.Size} bytes, offsets up to {segment.NextOffset - 1})"
                            : $"at position {position} of '{segment.LogPath}': {detail ?? $"baseOffset {header.BaseOffset}, expected {expectedBase}"}";
                        return false;
                    }

                    if (header.LastOffset >= offset)
                    {
                        anomaly = null;
                        return true;
                    }

                    expectedBase = header.NextOffset;
                    first = false;
                }

                if (indexWrong)
                {
                    OnIndexEntryRejected(segment, segment.OffsetIndex.Path, entry!.Value.Offset, entry.Value.Position);
                    entry = null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Stops trusting both indexes of <paramref name="segment"/> until the owner rebuilds them.</summary>
    private void OnIndexEntryRejected(LogSegment segment, string indexPath, long entryOffset, int entryPosition)
    {
        if (!segment.IsIndexSuspect)
        {
            segment.MarkIndexSuspect();
            Interlocked.Exchange(ref _indexRebuildRequested, 1);
            LogIndexEntryRejected(_logger, Name, indexPath, entryOffset, entryPosition);
        }
    }

    /// <summary>
    /// Kafka ListOffsets by timestamp: the first stored batch whose maxTimestamp is ≥
    /// <paramref name="timestampMs"/>, found through the segments' largest timestamps, the time index and a
    /// header scan; null when no batch is that late. See <see cref="TimestampOffset"/> for what it returns.
    /// </summary>
    public TimestampOffset? OffsetForTimestamp(long timestampMs)
    {
        for (int attempt = 0; ; attempt++)
        {
            ThrowIfFailed("offset lookup by timestamp");
            ThrowIfClosed();
            int version = Volatile.Read(ref _structureVersion);
            string? anomaly;
            try
            {
                if (TryOffsetForTimestamp(timestampMs, out TimestampOffset? found, out anomaly))
                {
                    return found;
                }
            }
            catch (ObjectDisposedException) when (!_closed)
            {
                anomaly = "a segment was deleted during the lookup";
            }

            if (Volatile.Read(ref _structureVersion) == version || attempt == MaxReadRetries)
            {
                throw Fail(new InvalidDataException(anomaly), $"offset lookup for timestamp {timestampMs}");
            }
        }
    }

    private bool TryOffsetForTimestamp(long timestampMs, out TimestampOffset? found, out string? anomaly)
    {
        long logEndOffset = LogEndOffset;
        long logStartOffset = LogStartOffset;
        LogSegment[] segments = Volatile.Read(ref _segments);
        found = null;
        anomaly = null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(LocateBufferBytes);
        try
        {
            foreach (LogSegment segment in segments)
            {
                if (segment.MaxTimestamp < timestampMs || segment.NextOffset <= logStartOffset)
                {
                    continue;
                }

                long start = 0;
                long expectedBase = segment.BaseOffset;
                if (!segment.IsIndexSuspect && segment.TimeIndex.LookupBefore(timestampMs) is { } before)
                {
                    if (!TryLocate(segment, before.Offset, out long holderPosition, out RecordBatchHeader holder, out anomaly))
                    {
                        return false;
                    }

                    if (holder.MaxTimestamp == before.Timestamp)
                    {
                        start = holderPosition;
                        expectedBase = holder.BaseOffset;
                    }
                    else
                    {
                        // The entry names a batch that did not set that timestamp: scan the whole segment.
                        OnIndexEntryRejected(segment, segment.TimeIndex.Path, before.Offset, -1);
                    }
                }

                var scanner = new BatchScanner(segment.Log, start, segment.Size, buffer, verifyCrc: false);
                while (true)
                {
                    BatchFrameStatus status = scanner.Next(out RecordBatchHeader header, out string? detail);
                    if (status == BatchFrameStatus.EndOfData || (status == BatchFrameStatus.Valid && header.BaseOffset >= logEndOffset))
                    {
                        break;
                    }

                    if (status != BatchFrameStatus.Valid || header.BaseOffset != expectedBase)
                    {
                        anomaly = $"at position {scanner.Position} of '{segment.LogPath}': {detail ?? $"baseOffset {header.BaseOffset}, expected {expectedBase}"}";
                        return false;
                    }

                    if (header.MaxTimestamp >= timestampMs && header.NextOffset > logStartOffset)
                    {
                        found = new TimestampOffset(header.MaxTimestamp, Math.Max(header.BaseOffset, logStartOffset));
                        return true;
                    }

                    expectedBase = header.NextOffset;
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Headers of the stored batches from the one holding <paramref name="fromOffset"/> (or the first stored
    /// batch, when it is lower) to the log end as it was when enumeration started; used to rebuild
    /// idempotent-producer state. Lazily reads headers only (a small read per batch).
    /// </summary>
    public IEnumerable<RecordBatchHeader> ReadBatchHeaders(long fromOffset)
    {
        ThrowIfFailed("header read");
        ThrowIfClosed();
        return ReadBatchHeadersCore(fromOffset);
    }

    private IEnumerable<RecordBatchHeader> ReadBatchHeadersCore(long fromOffset)
    {
        long logEndOffset = LogEndOffset;
        LogSegment[] segments = Volatile.Read(ref _segments);
        if (segments.Length == 0 || fromOffset >= logEndOffset)
        {
            yield break;
        }

        fromOffset = Math.Max(fromOffset, segments[0].BaseOffset);
        int index = FindSegment(segments, fromOffset);
        if (!TryLocate(segments[index], fromOffset, out long position, out _, out string? anomaly))
        {
            throw new KafkaStorageException($"Cannot read batch headers of {Name} from offset {fromOffset}: {anomaly}");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(LocateBufferBytes);
        try
        {
            for (; index < segments.Length; index++, position = 0)
            {
                LogSegment segment = segments[index];
                var scanner = new BatchScanner(segment.Log, position, segment.Size, buffer, verifyCrc: false);
                while (true)
                {
                    BatchFrameStatus status = scanner.Next(out RecordBatchHeader header, out string? detail);
                    if (status == BatchFrameStatus.EndOfData)
                    {
                        break;
                    }

                    if (status != BatchFrameStatus.Valid)
                    {
                        throw new KafkaStorageException(
                            $"Cannot read batch headers of {Name} at position {scanner.Position} of '{segment.LogPath}': {detail}");
                    }

                    if (header.BaseOffset >= logEndOffset)
                    {
                        yield break;
                    }

                    yield return header;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Index of the segment with the greatest base offset ≤ <paramref name="offset"/>, or -1.</summary>
    private static int FindSegment(LogSegment[] segments, long offset)
    {
        int low = 0;
        int high = segments.Length - 1;
        int found = -1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (segments[mid].BaseOffset <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found;
    }
}
