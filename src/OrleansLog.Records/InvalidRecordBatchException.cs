namespace OrleansLog.Records;

/// <summary>
/// Thrown by <see cref="RecordBatchReader"/> when bytes that should be a sound batch are not: a stored
/// batch whose CRC no longer matches, or a fetched one that was damaged in transit. Validation on the
/// produce path returns <see cref="BatchValidationResult"/> instead; reaching this exception means
/// data that was once accepted is now wrong, which the caller must not paper over.
/// </summary>
public sealed class InvalidRecordBatchException : Exception
{
    public InvalidRecordBatchException(ErrorCode error, string message)
        : base(message)
    {
        Error = error;
    }

    public InvalidRecordBatchException()
        : this(ErrorCode.CorruptMessage, "The record batch is corrupt.")
    {
    }

    public InvalidRecordBatchException(string message)
        : this(ErrorCode.CorruptMessage, message)
    {
    }

    public InvalidRecordBatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = ErrorCode.CorruptMessage;
    }

    /// <summary>Kafka's code for the problem: usually CorruptMessage.</summary>
    public ErrorCode Error { get; }
}
