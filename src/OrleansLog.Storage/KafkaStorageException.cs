namespace OrleansLog.Storage;

/// <summary>
/// The log cannot serve the call because its storage failed: a write or fsync failed earlier (the
/// failure is sticky until the log is reopened, which reruns recovery) or the files are not what they
/// must be. Maps to Kafka's <c>KAFKA_STORAGE_ERROR</c> (56); the message names the topic-partition and
/// the original cause, which is also the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class KafkaStorageException : IOException
{
    public KafkaStorageException()
    {
    }

    public KafkaStorageException(string message)
        : base(message)
    {
    }

    public KafkaStorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Always <see cref="ErrorCode.KafkaStorageError"/>.</summary>
    public ErrorCode ErrorCode => ErrorCode.KafkaStorageError;
}
