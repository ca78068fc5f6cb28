namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="MetadataRequest"/>.</summary>
[KafkaMessage(ApiKey.Metadata, 0, 12, 9)]
public sealed class MetadataResponse
{
    [KafkaField(0, "3+")]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public List<Broker> Brokers { get; set; } = [];

    [KafkaField(2, "2+", NullableVersions = "2+")]
    public string? ClusterId { get; set; }

    [KafkaField(3, "1+")]
    public int ControllerId { get; set; } = -1;

    [KafkaField(4)]
    public List<Topic> Topics { get; set; } = [];

    [KafkaField(5, "8-10")]
    public int ClusterAuthorizedOperations { get; set; } = int.MinValue;

    public sealed class Broker
    {
        [KafkaField(0)]
        public int NodeId { get; set; }

        [KafkaField(1)]
        public string Host { get; set; } = string.Empty;

        [KafkaField(2)]
        public int Port { get; set; }

        [KafkaField(3, "1+", NullableVersions = "1+")]
        public string? Rack { get; set; }
    }

    public sealed class Topic
    {
        [KafkaField(0)]
        public short ErrorCode { get; set; }

        [KafkaField(1, NullableVersions = "12+")]
        public string? Name { get; set; }

        [KafkaField(2, "10+")]
        public Guid TopicId { get; set; }

        [KafkaField(3, "1+")]
        public bool IsInternal { get; set; }

        [KafkaField(4)]
        public List<Partition> Partitions { get; set; } = [];

        [KafkaField(5, "8+")]
        public int TopicAuthorizedOperations { get; set; } = int.MinValue;
    }

    public sealed class Partition
    {
        [KafkaField(0)]
        public short ErrorCode { get; set; }

        [KafkaField(1)]
        public int PartitionIndex { get; set; }

        [KafkaField(2)]
        public int LeaderId { get; set; }

        [KafkaField(3, "7+")]
        public int LeaderEpoch { get; set; } = -1;

        [KafkaField(4)]
        public List<int> ReplicaNodes { get; set; } = [];

        [KafkaField(5)]
        public List<int> IsrNodes { get; set; } = [];

        [KafkaField(6, "5+")]
        public List<int> OfflineReplicas { get; set; } = [];
    }
}
