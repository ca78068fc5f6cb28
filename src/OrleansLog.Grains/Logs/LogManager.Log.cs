using Microsoft.Extensions.Logging;

namespace OrleansLog.Grains.Logs;

internal sealed partial class LogManager
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Opened partition {Partition}: log start {LogStartOffset}, log end {LogEndOffset}; recovery: {Recovery}; producer state from snapshot {SnapshotOffset} + {BatchesReplayed} batches replayed")]
    private static partial void LogOpened(ILogger logger, string partition, long logStartOffset, long logEndOffset, string recovery, long snapshotOffset, int batchesReplayed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed log {Partition} cleanly")]
    private static partial void LogClosed(ILogger logger, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing log {Partition} failed; the next open will run recovery")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} takes on its topic's current configuration")]
    private static partial void LogReconfigured(ILogger logger, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted log {Partition} and its directory")]
    private static partial void LogDeleted(ILogger logger, string partition);

    [LoggerMessage(Level = LogLevel.Error, Message = "Log {Partition} failed and is offline on this node until it is reopened (the next follow or election recovers it from disk): {Reason}")]
    private static partial void LogFailed(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Log {Partition} belongs to topic id {StrayId}, a deleted topic of that name, not to the current one ({TopicId}): deleting it; the copy starts empty")]
    private static partial void LogStray(ILogger logger, string partition, string strayId, string topicId);
}
