namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>DeleteTopics (key 20) by name, versions 1-5 (topic ids come with 6).</summary>
[KafkaMessage(ApiKey.DeleteTopics, 1, 5, 4)]
public sealed class DeleteTopicsRequest
{
    [KafkaField(0)]
    public List<string> TopicNames { get; set; } = [];

    [KafkaField(1)]
    public int TimeoutMs { get; set; }
}
