using System.Runtime.InteropServices;

namespace OrleansLog.Records;

/// <summary>
/// The verdict on one record batch: an error code with Kafka's number, so the broker can return it to
/// the producer as is, and a message naming the field with expected and actual values for logs.
/// </summary>
/// <remarks>
/// <see cref="Header"/> is decoded whenever the buffer held 61 bytes, even for an invalid batch, so a
/// caller can log offsets and producer ids of what it rejected; it is <c>default</c> otherwise.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct BatchValidationResult
{
    private BatchValidationResult(ErrorCode error, string? message, RecordBatchHeader header)
    {
        Error = error;
        Message = message;
        Header = header;
    }

    public ErrorCode Error { get; }

    /// <summary>Null when valid; otherwise e.g. "CorruptMessage: crc expected 0x1234ABCD, actual 0x00000000 (batch of 512 bytes)".</summary>
    public string? Message { get; }

    public RecordBatchHeader Header { get; }

    public bool IsValid => Error == ErrorCode.None;

    internal static BatchValidationResult Valid(RecordBatchHeader header) => new(ErrorCode.None, null, header);

    /// <summary>Builds a failure whose message starts with the code and ends with the batch size.</summary>
    internal static BatchValidationResult Invalid(ErrorCode error, string detail, int batchBytes, RecordBatchHeader header = default) =>
        new(error, $"{error}: {detail} (batch of {batchBytes} bytes)", header);

    public override string ToString() => IsValid ? $"valid batch of {Header.RecordsCount} records" : Message ?? Error.ToString();
}
