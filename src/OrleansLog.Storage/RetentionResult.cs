using System.Runtime.InteropServices;

namespace OrleansLog.Storage;

/// <summary>What one <see cref="PartitionLog.ApplyRetention"/> pass deleted.</summary>
/// <param name="DeletedSegments">Segments deleted in total.</param>
/// <param name="DeletedBytes">Bytes of .log files deleted.</param>
/// <param name="DeletedByTime">Segments whose largest timestamp was older than RetentionMs.</param>
/// <param name="DeletedBySize">Segments deleted to bring the partition under RetentionBytes.</param>
/// <param name="DeletedBelowLogStart">Segments entirely below the log start offset (after DeleteRecords).</param>
/// <param name="LogStartOffset">The log start offset after the pass.</param>
[StructLayout(LayoutKind.Auto)]
public readonly record struct RetentionResult(
    int DeletedSegments,
    long DeletedBytes,
    int DeletedByTime,
    int DeletedBySize,
    int DeletedBelowLogStart,
    long LogStartOffset);
