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


    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: the replication record changed under this activation; wanted {Record}")]
    private static partial void LogRecordConflict(ILogger logger, Exception exception, string partition, string record);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: writing the replication record failed; wanted {Record}")]
    private static partial void LogRecordWriteFailed(ILogger logger, Exception exception, string partition, string record);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: ISR in leader epoch {LeaderEpoch} is now [{Isr}] (partition epoch {PartitionEpoch})")]
    private static partial void LogIsrChanged(ILogger logger, string partition, int leaderEpoch, string isr, long partitionEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: replica on node {Node} could not be reached: {Reason}")]
    private static partial void LogFollowerUnreachable(ILogger logger, string partition, string node, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: reassignment from [{From}] to [{To}] started")]
    private static partial void LogReassignmentStarted(ILogger logger, string partition, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: reassignment to [{To}] completed; removed replicas [{Removed}]")]
    private static partial void LogReassignmentCompleted(ILogger logger, string partition, string to, string removed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: changing the ISR to [{Isr}] failed; the next check proposes again")]
    private static partial void LogIsrChangeFailed(ILogger logger, Exception exception, string partition, string isr);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: the log on node {Node} failed; node {Successor} leads next and this node left the ISR")]
    private static partial void LogLeftAfterStorageFailure(ILogger logger, string partition, string node, string successor);
}
