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
}
