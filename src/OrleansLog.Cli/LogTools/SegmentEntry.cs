using System.Runtime.InteropServices;
using OrleansLog.Records;

namespace OrleansLog.Cli.LogTools;

/// <summary>
/// What <see cref="SegmentReader"/> found at one position of a segment file: a framed batch (its length
/// field fits the file, so its bytes and decoded header are here), sound or not, or bytes that do not
/// frame as a batch at all, after which the rest of the file cannot be walked.
/// </summary>
/// <param name="Framed">The length field was plausible, so <see cref="Header"/> and <see cref="Bytes"/> are set.</param>
/// <param name="IsValid">Framing, magic and CRC-32C all check out (RecordBatchValidator.ValidateFraming).</param>
/// <param name="Problem">Why the batch is not valid, or null.</param>
/// <param name="Bytes">The whole batch; valid only until the reader's next call.</param>
[StructLayout(LayoutKind.Auto)]
internal readonly record struct SegmentEntry(
    long Position,
    long Size,
    bool Framed,
    bool IsValid,
    RecordBatchHeader Header,
    string? Problem,
    ReadOnlyMemory<byte> Bytes);
