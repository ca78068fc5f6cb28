namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>DescribeGroups (key 15): consumer groups' states, members and assignments.</summary>
[KafkaMessage(ApiKey.DescribeGroups, 0, 5, 5)]
public sealed class DescribeGroupsRequest
{
    [KafkaField(0)]
    public List<string> Groups { get; set; } = [];

    [KafkaField(1, "3+")]
    public bool IncludeAuthorizedOperations { get; set; }
}
