namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="OffsetCommitRequest"/>: an error code per partition.</summary>
[KafkaMessage(ApiKey.OffsetCommit, 2, 8, 8)]
public sealed class OffsetCommitResponse
{
    [KafkaField(0, "3+")]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public List<Topic> Topics { get; set; } = [];

    public sealed class Topic
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1)]
        public List<Partition> Partitions { get; set; } = [];
    }

    public sealed class Partition
    {
        [KafkaField(0)]
        public int PartitionIndex { get; set; }

        [KafkaField(1)]
        public short ErrorCode { get; set; }
    }
}
