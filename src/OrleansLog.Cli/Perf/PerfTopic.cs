using OrleansLog.Client;

namespace OrleansLog.Cli.Perf;

/// <summary>Makes sure a benchmark's topic exists, creating it with the requested partitions if not.</summary>
internal static class PerfTopic
{
    public static async Task<int> EnsureAsync(IOrleansLogAdmin admin, string topic, int partitions, CancellationToken cancellationToken)
    {
        try
        {
            return (await admin.GetTopicMetadataAsync(topic, cancellationToken)).PartitionCount;
        }
        catch (OrleansLogException ex) when (ex.Error == ErrorCode.UnknownTopicOrPartition)
        {
            // Falls through to create it.
        }

        try
        {
            await admin.CreateTopicAsync(topic, partitions, cancellationToken: cancellationToken);
            return partitions;
        }
        catch (OrleansLogException ex) when (ex.Error == ErrorCode.TopicAlreadyExists)
        {
            // Another benchmark created it meanwhile.
            return (await admin.GetTopicMetadataAsync(topic, cancellationToken)).PartitionCount;
        }
    }
}
