namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="ListOffsetsRequest"/>.</summary>
[KafkaMessage(ApiKey.ListOffsets, 1, 7, 6)]
public sealed class ListOffsetsResponse
{
    [KafkaField(0, "2+")]
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

        [KafkaField(2)]
        public long Timestamp { get; set; } = -1;

        [KafkaField(3)]
        public long Offset { get; set; } = -1;

        [KafkaField(4, "4+")]
        public int LeaderEpoch { get; set; } = -1;
    }
}
