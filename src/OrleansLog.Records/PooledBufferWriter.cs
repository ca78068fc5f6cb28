using System.Buffers;

namespace OrleansLog.Records;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>, kept across
/// <see cref="Clear"/> so a builder or reader that is reused stops allocating once it has grown to its
/// working size. Growth doubles and returns the old array to the pool.
/// </summary>
/// <remarks>
/// <see cref="MaxCapacity"/> bounds the buffer: decompression writes untrusted amounts of data, and a
/// small batch that inflates to gigabytes must fail instead of exhausting memory. Exceeding it throws
/// <see cref="BufferLimitExceededException"/>. Not thread-safe; memory handed out by
/// <see cref="WrittenMemory"/> is valid until the next write, <see cref="Clear"/> or
/// <see cref="Dispose"/>.
/// </remarks>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumRent = 256;

    private byte[] _buffer = [];
    private int _written;

    public PooledBufferWriter(int maxCapacity = int.MaxValue)
    {
        MaxCapacity = Math.Min(maxCapacity, Array.MaxLength);
    }

    /// <summary>The most bytes this buffer may hold.</summary>
    public int MaxCapacity { get; }

    public int WrittenCount => _written;

    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public Memory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    // The pool may hand out a larger array than asked for; the bound still applies.
    private int UsableLength => Math.Min(_buffer.Length, MaxCapacity);

    /// <summary>Forgets the contents but keeps the rented array for the next use.</summary>
    public void Clear() => _written = 0;

    public void Advance(int count)
    {
        if (count < 0 || (long)_written + count > UsableLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Cannot advance past the buffer: written {_written}, capacity {UsableLength}.");
        }

        _written += count;
    }

    /// <summary>Free memory of at least <paramref name="sizeHint"/> bytes, never reaching past <see cref="MaxCapacity"/>.</summary>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsMemory(_written, UsableLength - _written);
    }

    /// <summary>Free space of at least <paramref name="sizeHint"/> bytes, never reaching past <see cref="MaxCapacity"/>.</summary>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsSpan(_written, UsableLength - _written);
    }

    /// <summary>Appends <paramref name="source"/>.</summary>
    public void Write(ReadOnlySpan<byte> source)
    {
        if (source.IsEmpty)
        {
            return;
        }

        source.CopyTo(GetSpan(source.Length));
        _written += source.Length;
    }

    /// <summary>Returns the array to the pool. The writer can be used again afterwards; it rents anew.</summary>
    public void Dispose()
    {
        byte[] buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void EnsureFree(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }

        long needed = (long)_written + sizeHint;
        if (needed > MaxCapacity)
        {
            throw new BufferLimitExceededException(MaxCapacity, needed);
        }

        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        long doubled = Math.Max((long)_buffer.Length * 2, MinimumRent);
        int newSize = (int)Math.Min(Math.Max(doubled, needed), MaxCapacity);
        byte[] grown = ArrayPool<byte>.Shared.Rent(newSize);
        _buffer.AsSpan(0, _written).CopyTo(grown);
        byte[] old = _buffer;
        _buffer = grown;
        if (old.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(old);
        }
    }
}
