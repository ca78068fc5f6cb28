namespace OrleansLog.Client;

/// <summary>
/// Where a produced record landed: its topic, partition and offset, and its timestamp (the CreateTime the
/// producer set, or the broker's append time for topics with <c>message.timestamp.type=LogAppendTime</c>).
/// <see cref="Offset"/> is -1 when it is unknown: with <see cref="Acks.None"/>, or when the leader recognised
/// a retried batch as a duplicate of one it stored earlier without remembering its offset.
/// </summary>
public readonly record struct RecordMetadata(string Topic, int Partition, long Offset, DateTimeOffset Timestamp)
{
    public TopicPartition TopicPartition => new(Topic, Partition);
}
