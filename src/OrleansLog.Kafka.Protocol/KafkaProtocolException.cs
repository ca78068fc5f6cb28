namespace OrleansLog.Kafka.Protocol;

/// <summary>A frame that does not decode as the message it claims to be: truncated, oversized lengths, bad varints.</summary>
public sealed class KafkaProtocolException : Exception
{
    public KafkaProtocolException()
    {
    }

    public KafkaProtocolException(string message)
        : base(message)
    {
    }

    public KafkaProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
