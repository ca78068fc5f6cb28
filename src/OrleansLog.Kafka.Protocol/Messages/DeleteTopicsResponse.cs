namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="DeleteTopicsRequest"/>.</summary>
[KafkaMessage(ApiKey.DeleteTopics, 1, 5, 4)]
public sealed class DeleteTopicsResponse
{
    [KafkaField(0)]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public List<Result> Responses { get; set; } = [];

    public sealed class Result
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1)]
        public short ErrorCode { get; set; }

        [KafkaField(2, "5+", NullableVersions = "5+")]
        public string? ErrorMessage { get; set; }
    }
}
