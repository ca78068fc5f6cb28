namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="ListGroupsRequest"/>.</summary>
[KafkaMessage(ApiKey.ListGroups, 0, 4, 3)]
public sealed class ListGroupsResponse
{
    [KafkaField(0, "1+")]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public short ErrorCode { get; set; }

    [KafkaField(2)]
    public List<Group> Groups { get; set; } = [];

    public sealed class Group
    {
        [KafkaField(0)]
        public string GroupId { get; set; } = string.Empty;

        [KafkaField(1)]
        public string ProtocolType { get; set; } = string.Empty;

        [KafkaField(2, "4+")]
        public string GroupState { get; set; } = string.Empty;
    }
}
