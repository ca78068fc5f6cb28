using Microsoft.Extensions.Logging;

namespace OrleansLog.Storage;

/// <summary>The log's messages, source-generated (<see cref="LoggerMessageAttribute"/>).</summary>
public sealed partial class PartitionLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Loaded the log of {Partition}: clean shutdown {CleanShutdown}, offsets [{LogStartOffset}, {LogEndOffset}), {SegmentCount} segments, rescanned {SegmentsScanned} segments ({BytesScanned} bytes), rebuilt {IndexesRebuilt} index files, in {ElapsedMs:F1} ms")]
    private static partial void LogLoaded(
        ILogger logger, string partition, bool cleanShutdown, long logStartOffset, long logEndOffset, int segmentCount,
        int segmentsScanned, long bytesScanned, int indexesRebuilt, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "Recovery of {Partition} truncated '{File}' at position {Position} (offset {Offset}): cut {BytesTruncated} bytes and deleted {DeletedSegments} later segments because {Reason}")]
    private static partial void LogRecoveryTruncated(
        ILogger logger, string partition, string file, long position, long offset, long bytesTruncated, int deletedSegments, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning,
        Message = "Checkpoint {Checkpoint} of {Partition} is unusable ({Problem}); assuming the conservative value")]
    private static partial void LogCheckpointUnusable(ILogger logger, string partition, string checkpoint, string problem);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Rescanning '{File}' of {Partition} to rebuild its indexes: {Reason}")]
    private static partial void LogIndexRebuilding(ILogger logger, string partition, string file, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "Index '{IndexFile}' of {Partition} has an entry (offset {EntryOffset}, position {EntryPosition}; -1 for a time index) that the log does not confirm; reads scan the segment until its indexes are rebuilt")]
    private static partial void LogIndexEntryRejected(ILogger logger, string partition, string indexFile, long entryOffset, int entryPosition);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information,
        Message = "Rebuilt index '{IndexFile}' of {Partition} from the log: {Entries} entries")]
    private static partial void LogIndexRebuilt(ILogger logger, string partition, string indexFile, int entries);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information,
        Message = "Rolled {Partition}: closed segment {OldBaseOffset} at {OldSize} bytes, new segment {NewBaseOffset} ({Reason})")]
    private static partial void LogSegmentRolled(ILogger logger, string partition, long oldBaseOffset, long oldSize, long newBaseOffset, string reason);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information,
        Message = "Deleted segment '{File}' of {Partition} ({Size} bytes): {Reason}")]
    private static partial void LogSegmentDeleted(ILogger logger, string partition, string file, long size, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information,
        Message = "Truncated {Partition} to offset {RequestedOffset}: the log now ends at {LogEndOffset}, {DeletedSegments} segments deleted")]
    private static partial void LogTruncated(ILogger logger, string partition, long requestedOffset, long logEndOffset, int deletedSegments);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error,
        Message = "The log of {Partition} failed during {Operation} and is offline until reopened: {Cause}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string partition, string operation, string cause);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning,
        Message = "Opened the log of {Partition}, but what recovery repaired could not be written yet ({Reason}); reads are served and the next flush writes it")]
    private static partial void LogRecoveryNotDurable(ILogger logger, string partition, string reason);
}
