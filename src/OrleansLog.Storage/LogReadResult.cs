using System.Runtime.InteropServices;

namespace OrleansLog.Storage;

/// <summary>
/// Outcome of <see cref="PartitionLog.Read"/>. The batches themselves went to the caller's buffer writer;
/// this says how many bytes and which offsets.
/// </summary>
/// <param name="ErrorCode"><see cref="ErrorCode.None"/> or <see cref="ErrorCode.OffsetOutOfRange"/>.</param>
/// <param name="BytesWritten">Bytes of whole batches written to the destination (0 at the log end).</param>
/// <param name="FirstBatchBaseOffset">Base offset of the first batch returned, or -1 when none was.</param>
/// <param name="NextOffset">The offset after the last batch returned; the requested offset when none was.</param>
/// <param name="LogStartOffset">The log start offset when the read began.</param>
/// <param name="LogEndOffset">The log end offset when the read began.</param>
/// <param name="ErrorMessage">
/// For an error: names the topic-partition, the requested offset and the valid range. Null on success.
/// </param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct LogReadResult(
    ErrorCode ErrorCode,
    int BytesWritten,
    long FirstBatchBaseOffset,
    long NextOffset,
    long LogStartOffset,
    long LogEndOffset,
    string? ErrorMessage);
