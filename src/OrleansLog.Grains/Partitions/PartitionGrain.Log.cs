using Microsoft.Extensions.Logging;

namespace OrleansLog.Grains.Partitions;

internal sealed partial class PartitionGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} active: log start {LogStartOffset}, log end {LogEndOffset}, {Producers} idempotent producers")]
    private static partial void LogActivated(ILogger logger, string partition, long logStartOffset, long logEndOffset, int producers);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: log could not be opened")]
    private static partial void LogOpenFailed(ILogger logger, Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: retention deleted {Segments} segments, log start offset now {LogStartOffset}")]
    private static partial void LogRetention(ILogger logger, string partition, int segments, long logStartOffset);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: retention failed")]
    private static partial void LogRetentionFailed(ILogger logger, Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: this activation stands in for node {Node} (active: {OwnerActive}) and serves nothing")]
    private static partial void LogStandIn(ILogger logger, string partition, string node, bool ownerActive);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: node {Node} took office in leader epoch {LeaderEpoch}, ISR [{Isr}], log end {LogEndOffset}, high watermark {HighWatermark}, {Ms:0.0} ms after activation")]
    private static partial void LogTookOffice(ILogger logger, string partition, string node, int leaderEpoch, string isr, long logEndOffset, long highWatermark, double ms);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: node {Node} stepped down from leader epoch {LeaderEpoch}: {Reason}")]
    private static partial void LogSteppedDown(ILogger logger, string partition, string node, int leaderEpoch, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: replica on node {Node} could not be reached: {Reason}")]
    private static partial void LogFollowerUnreachable(ILogger logger, string partition, string node, string reason);
}
