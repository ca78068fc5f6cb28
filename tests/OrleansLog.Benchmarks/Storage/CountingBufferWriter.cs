using System.Buffers;

namespace OrleansLog.Benchmarks.Storage;

/// <summary>A reusable buffer writer that keeps one large array, so reads measure the log, not allocation.</summary>
internal sealed class CountingBufferWriter(int capacity) : IBufferWriter<byte>
{
    private readonly byte[] _buffer = new byte[capacity];

    public int Written { get; private set; }

    public void Reset() => Written = 0;

    public void Advance(int count) => Written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsMemory(Written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureRoom(sizeHint);
        return _buffer.AsSpan(Written);
    }

    private void EnsureRoom(int sizeHint)
    {
        if (_buffer.Length - Written < Math.Max(1, sizeHint))
        {
            throw new InvalidOperationException($"benchmark buffer of {_buffer.Length} bytes is too small for {sizeHint} more after {Written}");
        }
    }
}
