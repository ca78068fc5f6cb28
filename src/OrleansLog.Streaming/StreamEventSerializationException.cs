namespace OrleansLog.Streaming;

/// <summary>An event could not be serialized for, or deserialized from, its stream's topic; the message names the stream, type and offset.</summary>
[GenerateSerializer]
public sealed class StreamEventSerializationException : Exception
{
    public StreamEventSerializationException()
    {
    }

    public StreamEventSerializationException(string message)
        : base(message)
    {
    }

    public StreamEventSerializationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
