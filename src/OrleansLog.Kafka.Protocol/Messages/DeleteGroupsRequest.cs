namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>DeleteGroups (key 42): removes empty groups and their committed offsets.</summary>
[KafkaMessage(ApiKey.DeleteGroups, 0, 2, 2)]
public sealed class DeleteGroupsRequest
{
    [KafkaField(0)]
    public List<string> GroupsNames { get; set; } = [];
}
