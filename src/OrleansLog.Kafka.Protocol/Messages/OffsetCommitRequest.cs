namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>OffsetCommit (key 8), versions 2-8: a group's committed offsets; generation -1 and no member for a consumer outside group management.</summary>
[KafkaMessage(ApiKey.OffsetCommit, 2, 8, 8)]
public sealed class OffsetCommitRequest
{
    [KafkaField(0)]
    public string GroupId { get; set; } = string.Empty;

    [KafkaField(1)]
    public int GenerationId { get; set; } = -1;

    [KafkaField(2)]
    public string MemberId { get; set; } = string.Empty;

    [KafkaField(3, "7+", NullableVersions = "7+")]
    public string? GroupInstanceId { get; set; }

    [KafkaField(4, "2-4")]
    public long RetentionTimeMs { get; set; } = -1;

    [KafkaField(5)]
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
        public long CommittedOffset { get; set; }

        [KafkaField(2, "6+")]
        public int CommittedLeaderEpoch { get; set; } = -1;

        [KafkaField(3, NullableVersions = "0+")]
        public string? CommittedMetadata { get; set; }
    }
}
