using Microsoft.Extensions.Logging;

namespace OrleansLog.Client;

public sealed partial class OrleansLogProducer
{
    [LoggerMessage(1000, LogLevel.Information, "Producer id {ProducerId} (epoch {ProducerEpoch}) assigned; batches are idempotent")]
    private static partial void LogProducerIdAssigned(ILogger logger, long producerId, short producerEpoch);

    [LoggerMessage(1001, LogLevel.Warning, "Sending {RecordCount} record(s) to {Topic}-{Partition} failed on attempt {Attempt}; retrying if the error is transient and time remains")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string topic, int partition, int recordCount, int attempt);

    [LoggerMessage(1002, LogLevel.Warning, "The leader of {Topic}-{Partition} rejected {RecordCount} record(s) on attempt {Attempt}: {Error} {Message}")]
    private static partial void LogSendRejected(ILogger logger, string topic, int partition, int recordCount, int attempt, ErrorCode error, string? message);

    [LoggerMessage(1003, LogLevel.Warning, "Partition {Topic}-{Partition} continues under producer id {ProducerId} (was {PreviousProducerId}) after a sequence gap; {FailedBatches} batch(es) of unknown outcome failed")]
    private static partial void LogProducerIdRenewed(ILogger logger, string topic, int partition, long previousProducerId, long producerId, int failedBatches);

    [LoggerMessage(1004, LogLevel.Warning, "Getting a new producer id for {Topic}-{Partition} failed; trying again after the retry backoff")]
    private static partial void LogProducerIdRenewalFailed(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(1005, LogLevel.Warning, "Transient failure {What} (attempt {Attempt}); retrying")]
    private static partial void LogTransientRetry(ILogger logger, Exception exception, string what, int attempt);

    [LoggerMessage(1006, LogLevel.Error, "A delivery handler for {Topic}-{Partition} threw; the exception is ignored")]
    internal static partial void LogDeliveryHandlerFailed(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(1007, LogLevel.Critical, "The producer's sender loop failed unexpectedly; it continues after the retry backoff")]
    private static partial void LogSenderLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(1008, LogLevel.Error, "Sealing a batch of {RecordCount} record(s) for {Topic}-{Partition} failed; the records fail")]
    private static partial void LogSealFailed(ILogger logger, Exception exception, string topic, int partition, int recordCount);
}
