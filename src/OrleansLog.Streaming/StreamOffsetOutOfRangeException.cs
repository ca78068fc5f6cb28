namespace OrleansLog.Streaming;

/// <summary>
/// A subscription asked for events below the log start of its stream's partition (retention removed them), or
/// above its log end. The subscriber's <c>OnErrorAsync</c> receives it once; delivery then continues from the
/// log start (or end).
/// </summary>
[GenerateSerializer]
public sealed class StreamOffsetOutOfRangeException : Exception
{
    public StreamOffsetOutOfRangeException()
    {
    }

    public StreamOffsetOutOfRangeException(string message)
        : base(message)
    {
    }

    public StreamOffsetOutOfRangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StreamOffsetOutOfRangeException(string stream, string topicPartition, long requestedOffset, long logStartOffset)
        : base(requestedOffset < logStartOffset
            ? $"Stream {stream} asked for offset {requestedOffset} of {topicPartition}, below its log start {logStartOffset} " +
              "(retention removed it); delivery continues from the log start."
            : $"Stream {stream} asked for offset {requestedOffset} of {topicPartition}, above its log end (log start {logStartOffset}); " +
              "delivery continues from the log end.")
    {
        Stream = stream;
        RequestedOffset = requestedOffset;
        LogStartOffset = logStartOffset;
    }

    [Id(0)]
    public string? Stream { get; }

    [Id(1)]
    public long RequestedOffset { get; }

    [Id(2)]
    public long LogStartOffset { get; }
}
