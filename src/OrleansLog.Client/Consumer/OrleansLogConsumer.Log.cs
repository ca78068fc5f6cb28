using Microsoft.Extensions.Logging;

namespace OrleansLog.Client;

public sealed partial class OrleansLogConsumer
{
    [LoggerMessage(1200, LogLevel.Information, "Position of {Topic}-{Partition} reset to the {Which} offset {Offset}")]
    private static partial void LogPositionReset(ILogger logger, string topic, int partition, string which, long offset);

    [LoggerMessage(1201, LogLevel.Warning, "Fetch offset {Offset} of {Topic}-{Partition} is out of range (log start offset {LogStartOffset}, high watermark {HighWatermark}); applying auto.offset.reset {Reset}")]
    private static partial void LogOffsetOutOfRange(ILogger logger, string topic, int partition, long offset, long logStartOffset, long highWatermark, AutoOffsetReset reset);

    [LoggerMessage(1202, LogLevel.Warning, "Fetching {Topic}-{Partition} failed transiently; retrying after the backoff")]
    private static partial void LogFetchRetry(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(1203, LogLevel.Error, "Partition {Topic}-{Partition} halted until the application seeks")]
    private static partial void LogPartitionHalted(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(1210, LogLevel.Information, "Group {GroupId}: applying generation {GenerationId}: {Added} partitions added, {Revoked} revoked, {Kept} kept")]
    private static partial void LogAssignmentApplied(ILogger logger, string groupId, int generationId, int added, int revoked, int kept);

    [LoggerMessage(1211, LogLevel.Warning, "Group {GroupId}: {Count} partitions lost because {Reason}; records consumed since the last commit will be delivered again")]
    private static partial void LogPartitionsLost(ILogger logger, string groupId, int count, string reason);

    [LoggerMessage(1212, LogLevel.Error, "Group {GroupId}: the rebalance listener failed on partitions {What}")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string groupId, string what);

    [LoggerMessage(1213, LogLevel.Warning, "Group {GroupId}: closing the group membership failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string groupId);

    [LoggerMessage(1214, LogLevel.Warning, "Group {GroupId}: {Reason} commit failed: {Failure}")]
    private static partial void LogCommitFailed(ILogger logger, Exception? exception, string groupId, string reason, string failure);

    [LoggerMessage(1215, LogLevel.Debug, "Group {GroupId}: {Reason} commit of {Count} offsets in generation {GenerationId} succeeded")]
    private static partial void LogCommitted(ILogger logger, string groupId, string reason, int count, int generationId);

    [LoggerMessage(1216, LogLevel.Information, "Position of {Topic}-{Partition} set to group {GroupId}'s committed offset {Offset}")]
    private static partial void LogStartingAtCommitted(ILogger logger, string topic, int partition, string groupId, long offset);
}
