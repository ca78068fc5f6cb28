using Microsoft.Extensions.Logging;

namespace OrleansLog.Grains.Partitions;

internal sealed partial class PartitionGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} active: log start {LogStartOffset}, log end {LogEndOffset}, {Producers} idempotent producers")]
    private static partial void LogActivated(ILogger logger, string partition, long logStartOffset, long logEndOffset, int producers);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: log could not be opened")]
    private static partial void LogOpenFailed(ILogger logger, Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} rejected a batch: {Error} {Reason}")]
    private static partial void LogRejected(ILogger logger, string partition, ErrorCode error, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: storage failed; the log is offline until reopened")]
    private static partial void LogStorageFailure(ILogger logger, Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: retention deleted {Segments} segments, log start offset now {LogStartOffset}")]
    private static partial void LogRetention(ILogger logger, string partition, int segments, long logStartOffset);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: retention failed")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: this activation stands in for node {Node} (active: {OwnerActive}) and serves nothing")]
    private static partial void LogStandIn(ILogger logger, string partition, string node, bool ownerActive);
}
