using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace OrleansLog.Streaming.Providers;

/// <summary>The provider's log lines.</summary>
internal static partial class StreamsLog
{
    [LoggerMessage(1, LogLevel.Information, "Stream provider '{Provider}' reads {TopicPartition} from offset {Offset} ({Source})")]
    private static partial void QueueStartedCore(ILogger logger, string provider, TopicPartition topicPartition, long offset, string source);

    public static void QueueStarted(ILogger logger, string provider, TopicPartition topicPartition, long offset, bool fromCheckpoint) =>
        QueueStartedCore(logger, provider, topicPartition, offset, fromCheckpoint ? "checkpoint" : "no checkpoint yet");

    [LoggerMessage(2, LogLevel.Warning, "Stream provider '{Provider}' cannot start reading {TopicPartition} yet; retrying")]
    public static partial void QueueNotReady(ILogger logger, string provider, TopicPartition topicPartition, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Reading {TopicPartition} at offset {Offset} failed with {Error}: {Message}; retrying")]
    public static partial void QueueReadFailed(ILogger logger, TopicPartition topicPartition, long offset, ErrorCode error, string? message);

    [LoggerMessage(4, LogLevel.Warning, "Queue offset {Offset} of {TopicPartition} is outside the log [{LogStart}, {HighWatermark}); reading resumes at {Restart}")]
    public static partial void QueueOffsetOutOfRange(ILogger logger, TopicPartition topicPartition, long offset, long logStart, long highWatermark, long restart);

    [LoggerMessage(5, LogLevel.Error, "Corrupt record batch in {TopicPartition} at or after offset {Offset}: the queue stops here until it is repaired")]
    public static partial void QueueCorrupt(ILogger logger, TopicPartition topicPartition, long offset, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "Checkpoint of {TopicPartition} at offset {Offset} failed; the next one retries")]
    public static partial void CheckpointFailed(ILogger logger, TopicPartition topicPartition, long offset, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Replay of stream {Stream} from {TopicPartition} offset {Offset} failed; retrying")]
    public static partial void ReplayReadFailed(ILogger logger, TopicPartition topicPartition, long offset, StreamId stream, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Delivery of stream {Stream} at {Token} to subscription {Subscription} failed (provider '{Provider}'); {Outcome}")]
    public static partial void DeliveryFailed(ILogger logger, string provider, StreamId stream, string? token, Guid subscription, string outcome);

    [LoggerMessage(9, LogLevel.Error, "Dead-lettering stream {Stream} at {Token} to topic '{Topic}' failed")]
    public static partial void DeadLetterFailed(ILogger logger, StreamId stream, string? token, string topic, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Subscription {Subscription} of stream {Stream} failed (provider '{Provider}') at {Token}")]
    public static partial void SubscriptionFailed(ILogger logger, string provider, StreamId stream, string? token, Guid subscription);
}
