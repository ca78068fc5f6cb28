using OrleansLog.Records;

namespace OrleansLog.Storage;

/// <summary>
/// Walks the record batches of one segment file from a start position, reading the file in chunks of
/// the caller's buffer and checking each frame in place: length, magic, lastOffsetDelta, and CRC-32C when
/// <c>verifyCrc</c>. Recovery uses a 1 MiB buffer so a scan costs one large read per MiB (page-cache scans
/// run at memory speed instead of one syscall per batch); header-only walks use a small buffer so skipping
/// a large batch reads only its header. A batch larger than the buffer is CRC-checked chunk by chunk.
/// Offset continuity is the caller's check, because only the caller knows the expected offset.
/// This is a mutable struct: keep it in a local and never copy it. Not thread-safe; the buffer belongs to
/// the caller (typically rented from <see cref="System.Buffers.ArrayPool{T}"/>).
/// </summary>
internal struct BatchScanner
{
    private readonly ILogFile _file;
    private readonly long _end;
    private readonly byte[] _buffer;
    private readonly bool _verifyCrc;
    private long _bufferStart;
    private int _bufferLength;

    public BatchScanner(ILogFile file, long position, long end, byte[] buffer, bool verifyCrc)
    {
        _file = file;
        Position = position;
        _end = end;
        _buffer = buffer;
        _verifyCrc = verifyCrc;
        _bufferStart = 0;
        _bufferLength = 0;
    }

    /// <summary>Position of the next batch: the end of everything accepted so far.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes read from the file so far (for recovery reports and throughput).</summary>
    public long BytesRead { get; private set; }

    /// <summary>
    /// Checks the batch at <see cref="Position"/>. On <see cref="BatchFrameStatus.Valid"/> returns its header
    /// and moves past it; on anything else stays put and describes the problem in <paramref name="detail"/>.
    /// </summary>
    public BatchFrameStatus Next(out RecordBatchHeader header, out string? detail)
    {
        header = default;
        detail = null;
        long available = _end - Position;
        int headerBytes = (int)Math.Min(available, RecordBatchLayout.HeaderSize);
        if (headerBytes > 0 && !Ensure(Position, headerBytes))
        {
            detail = $"the file ended early: fewer than {headerBytes} bytes readable at position {Position}";
            return BatchFrameStatus.LengthPastEnd;
        }

        // At the end of the data there is nothing to slice: Position may lie past the buffered window
        // after a batch larger than the buffer was skipped.
        ReadOnlySpan<byte> bytes = headerBytes > 0
            ? _buffer.AsSpan((int)(Position - _bufferStart), headerBytes)
            : ReadOnlySpan<byte>.Empty;
        BatchFrameStatus status = RecordBatchFraming.CheckHeader(bytes, available, out long size);
        if (status != BatchFrameStatus.Valid)
        {
            detail = RecordBatchFraming.Describe(status, bytes, available, size);
            return status;
        }

        header = RecordBatchHeader.Read(bytes);
        if (_verifyCrc)
        {
            if (!TryComputeCrc(Position, size, out uint actual))
            {
                detail = $"the file ended early inside the batch of {size} bytes at position {Position}";
                return BatchFrameStatus.LengthPastEnd;
            }

            if (actual != header.Crc)
            {
                detail = $"CRC-32C mismatch: stored 0x{header.Crc:x8}, computed 0x{actual:x8}";
                return BatchFrameStatus.CrcMismatch;
            }
        }

        Position += size;
        return BatchFrameStatus.Valid;
    }

    private bool TryComputeCrc(long batchPosition, long size, out uint crc)
    {
        long position = batchPosition + RecordBatchLayout.CrcCoveredStart;
        long remaining = size - RecordBatchLayout.CrcCoveredStart;
        crc = 0;
        while (remaining > 0)
        {
            int chunk = (int)Math.Min(remaining, _buffer.Length);
            if (!Ensure(position, chunk))
            {
                return false;
            }

            crc = Crc32C.Append(crc, _buffer.AsSpan((int)(position - _bufferStart), chunk));
            position += chunk;
            remaining -= chunk;
        }

        return true;
    }

    /// <summary>Makes [position, position + count) available in the buffer, reading a whole buffer when it is not.</summary>
    private bool Ensure(long position, int count)
    {
        if (position >= _bufferStart && position + count <= _bufferStart + _bufferLength)
        {
            return true;
        }

        int toRead = (int)Math.Min(_buffer.Length, _end - position);
        _bufferStart = position;
        _bufferLength = ReadFully(_file, _buffer.AsSpan(0, toRead), position);
        BytesRead += _bufferLength;
        return _bufferLength >= count;
    }

    /// <summary>Reads until the span is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(ILogFile file, Span<byte> destination, long position)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = file.Read(destination[total..], position + total);
            if (read <= 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }
}
