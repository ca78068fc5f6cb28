using System.Runtime.InteropServices;

namespace OrleansLog.Storage;

/// <summary>What an append stored: the offsets it assigned and where the bytes went.</summary>
/// <param name="BaseOffset">Offset of the first record appended.</param>
/// <param name="LastOffset">Offset of the last record appended.</param>
/// <param name="LogAppendTimeMs">The log's clock (its <see cref="TimeProvider"/>) when it stored the batch, Unix ms.</param>
/// <param name="MaxTimestamp">Largest maxTimestamp among the appended batches.</param>
/// <param name="SegmentBaseOffset">Base offset of the segment that holds the bytes.</param>
/// <param name="Position">Byte position of the first appended batch in that segment's .log file.</param>
/// <param name="SizeInBytes">Bytes appended.</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct LogAppendInfo(
    long BaseOffset,
    long LastOffset,
    long LogAppendTimeMs,
    long MaxTimestamp,
    long SegmentBaseOffset,
    long Position,
    int SizeInBytes)
{
    /// <summary>The log end offset after this append.</summary>
    public long NextOffset => LastOffset + 1;
}
