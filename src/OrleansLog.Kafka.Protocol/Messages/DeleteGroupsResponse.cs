namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="DeleteGroupsRequest"/>.</summary>
[KafkaMessage(ApiKey.DeleteGroups, 0, 2, 2)]
public sealed class DeleteGroupsResponse
{
    [KafkaField(0)]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public List<Result> Results { get; set; } = [];

    public sealed class Result
    {
        [KafkaField(0)]
        public string GroupId { get; set; } = string.Empty;

        [KafkaField(1)]
        public short ErrorCode { get; set; }
    }
}
