namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>CreateTopics (key 19): topics with a partition count, replication factor and configuration (-1: the broker's default).</summary>
[KafkaMessage(ApiKey.CreateTopics, 2, 7, 5)]
public sealed class CreateTopicsRequest
{
    [KafkaField(0)]
    public List<Topic> Topics { get; set; } = [];

    [KafkaField(1)]
    public int TimeoutMs { get; set; }

    [KafkaField(2)]
    public bool ValidateOnly { get; set; }

    public sealed class Topic
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1)]
        public int NumPartitions { get; set; } = -1;

        [KafkaField(2)]
        public short ReplicationFactor { get; set; } = -1;

        [KafkaField(3)]
        public List<Assignment> Assignments { get; set; } = [];

        [KafkaField(4)]
        public List<Config> Configs { get; set; } = [];
    }

    public sealed class Assignment
    {
        [KafkaField(0)]
        public int PartitionIndex { get; set; }

        [KafkaField(1)]
        public List<int> BrokerIds { get; set; } = [];
    }

    public sealed class Config
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1, NullableVersions = "0+")]
        public string? Value { get; set; }
    }
}
