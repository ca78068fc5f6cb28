namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="CreatePartitionsRequest"/>.</summary>
[KafkaMessage(ApiKey.CreatePartitions, 0, 3, 2)]
public sealed class CreatePartitionsResponse
{
    [KafkaField(0)]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public List<Result> Results { get; set; } = [];

    public sealed class Result
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1)]
        public short ErrorCode { get; set; }

        [KafkaField(2, NullableVersions = "0+")]
        public string? ErrorMessage { get; set; }
    }
}
