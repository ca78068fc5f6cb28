namespace OrleansLog.Client;

/// <summary>
/// A partition and an offset in it: where to start consuming when assigning, or a consumed record's
/// position. When assigning, <see cref="OffsetSpec.Earliest"/> (-2) and <see cref="OffsetSpec.Latest"/> (-1)
/// mean the log start and the log end.
/// </summary>
public readonly record struct TopicPartitionOffset(string Topic, int Partition, long Offset)
{
    public TopicPartitionOffset(TopicPartition topicPartition, long offset)
        : this(topicPartition.Topic, topicPartition.Partition, offset)
    {
    }

    public TopicPartition TopicPartition => new(Topic, Partition);

    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}
