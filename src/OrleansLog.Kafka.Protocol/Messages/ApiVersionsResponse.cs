namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="ApiVersionsRequest"/>; its header is always version 0.</summary>
[KafkaMessage(ApiKey.ApiVersions, 0, 3, 3)]
public sealed class ApiVersionsResponse
{
    [KafkaField(0)]
    public short ErrorCode { get; set; }

    [KafkaField(1)]
    public List<ApiVersion> ApiKeys { get; set; } = [];

    [KafkaField(2, "1+")]
    public int ThrottleTimeMs { get; set; }

    /// <summary>One API the broker speaks and its version range.</summary>
    public sealed class ApiVersion
    {
        [KafkaField(0)]
        public short ApiKey { get; set; }

        [KafkaField(1)]
        public short MinVersion { get; set; }

        [KafkaField(2)]
        public short MaxVersion { get; set; }
    }
}
