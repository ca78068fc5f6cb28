namespace OrleansLog.Grains.Groups;

/// <summary>Kafka's order of topic-partitions in assignments: topic name (ordinal), then partition number.</summary>
internal sealed class TopicPartitionOrder : IComparer<TopicPartition>
{
    public static readonly TopicPartitionOrder Instance = new();

    public int Compare(TopicPartition x, TopicPartition y)
    {
        int byTopic = string.CompareOrdinal(x.Topic, y.Topic);
        return byTopic != 0 ? byTopic : x.Partition.CompareTo(y.Partition);
    }
}
