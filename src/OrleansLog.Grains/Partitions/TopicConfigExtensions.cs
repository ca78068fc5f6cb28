using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>Maps a topic's Kafka-style configuration onto the storage engine's options.</summary>
internal static class TopicConfigExtensions
{
    public static PartitionLogOptions ToLogOptions(this TopicConfig config) => new()
    {
        SegmentBytes = config.SegmentBytes,
        SegmentMs = config.SegmentMs,
        IndexIntervalBytes = config.IndexIntervalBytes,
        RetentionMs = config.RetentionMs,
        RetentionBytes = config.RetentionBytes,
        FlushPolicy = FlushPolicyOf(config),
        FlushIntervalMs = FlushIntervalOf(config),
    };

    /// <summary>
    /// flush.messages=1 means "acknowledge after fsync" (group-committed); a finite flush.ms or a
    /// flush.messages above 1 means periodic fsync; otherwise the page cache and replication carry
    /// durability, as with Kafka's defaults.
    /// </summary>
    private static FlushPolicy FlushPolicyOf(TopicConfig config)
    {
        if (config.FlushMessages == 1)
        {
            return FlushPolicy.Always;
        }

        if (config.FlushMs != long.MaxValue || config.FlushMessages != long.MaxValue)
        {
            return FlushPolicy.Interval;
        }

        return FlushPolicy.None;
    }

    private static long FlushIntervalOf(TopicConfig config) =>
        config.FlushMs != long.MaxValue ? Math.Max(1, config.FlushMs) : 1000;
}
