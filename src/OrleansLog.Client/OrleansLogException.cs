namespace OrleansLog.Client;

/// <summary>
/// The one exception the client throws for a broker-side failure: Kafka's <see cref="ErrorCode"/>, whether
/// the same request may succeed later (<see cref="IsRetriable"/>, Kafka's <c>RetriableException</c>), and
/// the broker's message naming the topic-partition, offset or setting that was wrong.
/// </summary>
/// <remarks>
/// The producer has already retried retriable errors until its delivery timeout when it throws one; a
/// retriable error reaching the application means the cluster stayed unavailable that long.
/// </remarks>
public class OrleansLogException : Exception
{
    public OrleansLogException()
        : this(ErrorCode.UnknownServerError, "Unknown OrleansLog error.")
    {
    }

    public OrleansLogException(string message)
        : this(ErrorCode.UnknownServerError, message)
    {
    }

    public OrleansLogException(string message, Exception innerException)
        : this(ErrorCode.UnknownServerError, message, innerException)
    {
    }

    public OrleansLogException(ErrorCode error, string? message, Exception? innerException = null)
        : base(message ?? $"OrleansLog error {error} ({(int)error}).", innerException)
    {
        Error = error;
    }

    /// <summary>Kafka's error code for the failure.</summary>
    public ErrorCode Error { get; }

    /// <summary>True when Kafka classes the error as retriable: repeating the request unchanged may succeed.</summary>
    public bool IsRetriable => Error.IsRetriable();
}
