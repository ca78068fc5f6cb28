using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using OrleansLog.Records;

namespace OrleansLog.Cli.LogTools;

/// <summary>
/// Walks the batches of one segment file (<c>{baseOffset:D20}.log</c>: RecordBatch v2 batches back to back,
/// nothing else) with positional reads, checking each with <see cref="RecordBatchValidator.ValidateFraming"/>.
/// It reads the files of a stopped silo and depends on nothing in OrleansLog.Storage, so it can judge
/// what the storage engine wrote without trusting the engine's code.
/// </summary>
/// <remarks>
/// A batch whose length field fits the file is returned even when its magic or CRC is wrong, and the walk
/// continues after it: the length is outside the CRC but a wrong one shows up as the next position not
/// framing. Bytes that do not frame (fewer than 12 left, a length below the 61-byte header, or past the
/// end of the file) end the walk. The file is opened shared for reading and writing, so a running silo's
/// files can be read too (its last batch may then be in flight). Not thread-safe.
/// </remarks>
internal sealed class SegmentReader : IDisposable
{
    /// <summary>
    /// The largest batch the reader accepts: segment.bytes is at most 2 GiB, and a length field beyond a
    /// gigabyte is a damaged one far more often than a real batch.
    /// </summary>
    public const int MaxBatchBytes = 1 << 30;

    private readonly SafeFileHandle _handle;
    private readonly long _length;
    private byte[] _buffer;

    public SegmentReader(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _length = RandomAccess.GetLength(_handle);
        _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    }

    public string Path { get; }

    public long Length => _length;

    /// <summary>Where the next entry starts.</summary>
    public long Position { get; private set; }

    /// <summary>The entry at <see cref="Position"/>; false at the end of the file or after unframeable bytes.</summary>
    public bool TryReadNext(out SegmentEntry entry)
    {
        long position = Position;
        long remaining = _length - position;
        if (remaining <= 0)
        {
            entry = default;
            return false;
        }

        if (remaining < RecordBatchLayout.LogOverhead)
        {
            entry = Unframed(position, $"{remaining} trailing bytes, fewer than the {RecordBatchLayout.LogOverhead}-byte batch prefix (a torn write?)");
            return true;
        }

        Span<byte> prefix = stackalloc byte[RecordBatchLayout.LogOverhead];
        ReadExactly(prefix, position);
        int batchLength = BinaryPrimitives.ReadInt32BigEndian(prefix[RecordBatchLayout.BatchLengthPosition..]);
        long size = (long)batchLength + RecordBatchLayout.LogOverhead;
        if (size < RecordBatchLayout.HeaderSize)
        {
            entry = Unframed(position, $"batchLength {batchLength} is below the {RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead} a v2 batch header needs");
            return true;
        }

        if (size > remaining)
        {
            entry = Unframed(position, $"batch of {size} bytes (batchLength {batchLength}) runs past the end of the file: {remaining} bytes left");
            return true;
        }

        if (size > MaxBatchBytes)
        {
            entry = Unframed(position, $"batchLength {batchLength} is implausibly large (the limit is {MaxBatchBytes} bytes)");
            return true;
        }

        if (_buffer.Length < size)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent((int)size);
        }

        Memory<byte> bytes = _buffer.AsMemory(0, (int)size);
        ReadExactly(bytes.Span, position);
        BatchValidationResult verdict = RecordBatchValidator.ValidateFraming(bytes.Span);
        entry = new SegmentEntry(position, size, Framed: true, verdict.IsValid, verdict.Header, Detail(verdict), bytes);
        Position = position + size;
        return true;
    }

    public void Dispose()
    {
        _handle.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }

    private SegmentEntry Unframed(long position, string problem)
    {
        Position = _length;
        return new SegmentEntry(position, _length - position, Framed: false, IsValid: false, default, problem, ReadOnlyMemory<byte>.Empty);
    }

    private void ReadExactly(Span<byte> destination, long position)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = RandomAccess.Read(_handle, destination[total..], position + total);
            if (read <= 0)
            {
                throw new IOException($"'{Path}' ended at position {position + total} while reading {destination.Length} bytes at position {position}; it shrank while being read");
            }

            total += read;
        }
    }

    /// <summary>The validator's message without its leading "CorruptMessage: ", which the caller's line already implies.</summary>
    private static string? Detail(BatchValidationResult verdict)
    {
        if (verdict.IsValid || verdict.Message is null)
        {
            return null;
        }

        string prefix = verdict.Error + ": ";
        return verdict.Message.StartsWith(prefix, StringComparison.Ordinal) ? verdict.Message[prefix.Length..] : verdict.Message;
    }
}
