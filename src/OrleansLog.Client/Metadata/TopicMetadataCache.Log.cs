using Microsoft.Extensions.Logging;

namespace OrleansLog.Client;

internal sealed partial class TopicMetadataCache
{
    [LoggerMessage(1100, LogLevel.Warning, "Refreshing metadata of topic '{Topic}' failed; using the cached partition count for now")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string topic);

    [LoggerMessage(1101, LogLevel.Information, "Topic '{Topic}' now has {PartitionCount} partitions (was {PreviousPartitionCount})")]
    private static partial void LogPartitionCountChanged(ILogger logger, string topic, int previousPartitionCount, int partitionCount);
}
