namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>ListGroups (key 16): every consumer group, optionally only those in the given states (4+).</summary>
[KafkaMessage(ApiKey.ListGroups, 0, 4, 3)]
public sealed class ListGroupsRequest
{
    [KafkaField(0, "4+")]
    public List<string> StatesFilter { get; set; } = [];
}
