using Microsoft.Extensions.Logging;

namespace OrleansLog.Grains.Partitions;

internal sealed partial class Partition
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} leads in epoch {LeaderEpoch}, ISR [{Isr}], log end {LogEndOffset}, high watermark {HighWatermark}")]
    private static partial void LogBecameLeader(ILogger logger, string partition, int leaderEpoch, string isr, long logEndOffset, long highWatermark);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} resigned leader epoch {LeaderEpoch}; waiting acks=all appends answered {Error}: {Reason}")]
    private static partial void LogResigned(ILogger logger, string partition, int leaderEpoch, ErrorCode error, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition} rejected a batch: {Error} {Reason}")]
    private static partial void LogRejected(ILogger logger, string partition, ErrorCode error, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: storage failed; the log is offline until reopened")]
    private static partial void LogStorageFailure(ILogger logger, Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: could not checkpoint the high watermark: {Reason}")]
    private static partial void LogHighWatermarkCheckpointFailed(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: producer-state snapshot {Path} skipped ({Problem}); an older one or the log is used instead")]
    private static partial void LogSnapshotSkipped(ILogger logger, string partition, string path, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: producer-state snapshot not written or removed: {Reason}")]
    private static partial void LogSnapshotFailed(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: this copy starts over at the leader's log start {LogStartOffset} (it held from {OldLogStartOffset})")]
    private static partial void LogStartedOver(ILogger logger, string partition, long oldLogStartOffset, long logStartOffset);
}
