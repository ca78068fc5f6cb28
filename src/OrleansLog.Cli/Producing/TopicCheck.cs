using OrleansLog.Client;

namespace OrleansLog.Cli.Producing;

/// <summary>
/// Checks up front that a topic (and a requested partition) exists. The producer treats
/// UnknownTopicOrPartition as retriable and would keep trying until its delivery timeout (two minutes);
/// a command line should say at once that the name is wrong.
/// </summary>
internal static class TopicCheck
{
    public static async Task<TopicMetadata> RequirePartitionAsync(IOrleansLogAdmin admin, string topic, int? partition, CancellationToken cancellationToken)
    {
        TopicMetadata metadata = await admin.GetTopicMetadataAsync(topic, cancellationToken);
        if (partition is { } p && (p < 0 || p >= metadata.PartitionCount))
        {
            throw new CliException(
                ErrorCode.UnknownTopicOrPartition,
                $"partition {p} does not exist: topic '{topic}' has partitions 0..{metadata.PartitionCount - 1}");
        }

        return metadata;
    }
}
