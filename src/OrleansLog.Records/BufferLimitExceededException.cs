namespace OrleansLog.Records;

/// <summary>
/// Thrown by <see cref="PooledBufferWriter"/> when a write would pass its capacity bound; the
/// decompression code turns it into <see cref="ErrorCode.MessageTooLarge"/> rather than letting a
/// decompression bomb allocate without limit.
/// </summary>
internal sealed class BufferLimitExceededException : Exception
{
    public BufferLimitExceededException(int limit, long needed)
        : base($"Buffer limit exceeded: expected at most {limit} bytes, needed {needed}.")
    {
        Limit = limit;
    }

    public BufferLimitExceededException()
    {
    }

    public BufferLimitExceededException(string message)
        : base(message)
    {
    }

    public BufferLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Limit { get; }
}
