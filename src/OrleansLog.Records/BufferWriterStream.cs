namespace OrleansLog.Records;

/// <summary>
/// A write-only <see cref="Stream"/> that appends to a <see cref="PooledBufferWriter"/>, so stream-only
/// compressors (<see cref="System.IO.Compression.GZipStream"/>) write straight into pooled memory
/// instead of a <see cref="MemoryStream"/> that would be copied again.
/// </summary>
internal sealed class BufferWriterStream : Stream
{
    private readonly PooledBufferWriter _destination;

    public BufferWriterStream(PooledBufferWriter destination)
    {
        _destination = destination;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _destination.WrittenCount;

    public override long Position
    {
        get => _destination.WrittenCount;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => _destination.Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer) => _destination.Write(buffer);

    public override void WriteByte(byte value) => _destination.Write([value]);
}
