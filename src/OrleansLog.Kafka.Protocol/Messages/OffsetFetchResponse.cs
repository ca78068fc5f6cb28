namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="OffsetFetchRequest"/>: -1 for a partition without a committed offset.</summary>
[KafkaMessage(ApiKey.OffsetFetch, 1, 7, 6)]
public sealed class OffsetFetchResponse
{
    [KafkaField(0, "3+")]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public List<Topic> Topics { get; set; } = [];

    [KafkaField(2, "2+")]
    public short ErrorCode { get; set; }

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
        public long CommittedOffset { get; set; } = -1;

        [KafkaField(2, "5+")]
        public int CommittedLeaderEpoch { get; set; } = -1;

        [KafkaField(3, NullableVersions = "0+")]
        public string? Metadata { get; set; }

        [KafkaField(4)]
        public short ErrorCode { get; set; }
    }
}
