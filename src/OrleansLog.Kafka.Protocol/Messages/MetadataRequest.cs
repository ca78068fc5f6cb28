namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>Metadata (key 3): brokers, the controller, and topics with their partitions' leaders and replicas.</summary>
[KafkaMessage(ApiKey.Metadata, 0, 12, 9)]
public sealed class MetadataRequest
{
    /// <summary>The topics asked for; null (versions 1+) for every topic, empty for none.</summary>
    [KafkaField(0, NullableVersions = "1+")]
    public List<Topic>? Topics { get; set; } = [];

    [KafkaField(1, "4+")]
    public bool AllowAutoTopicCreation { get; set; } = true;

    [KafkaField(2, "8-10")]
    public bool IncludeClusterAuthorizedOperations { get; set; }

    [KafkaField(3, "8+")]
    public bool IncludeTopicAuthorizedOperations { get; set; }

    public sealed class Topic
    {
        [KafkaField(0, "10+")]
        public Guid TopicId { get; set; }

        [KafkaField(1, NullableVersions = "10+")]
        public string? Name { get; set; }
    }
}
