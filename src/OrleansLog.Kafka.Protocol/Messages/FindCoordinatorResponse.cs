namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="FindCoordinatorRequest"/>: one coordinator (versions 0-3) or one per key (4+).</summary>
[KafkaMessage(ApiKey.FindCoordinator, 0, 4, 3)]
public sealed class FindCoordinatorResponse
{
    [KafkaField(0, "1+")]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1, "0-3")]
    public short ErrorCode { get; set; }

    [KafkaField(2, "1-3", NullableVersions = "1-3")]
    public string? ErrorMessage { get; set; }

    [KafkaField(3, "0-3")]
    public int NodeId { get; set; } = -1;

    [KafkaField(4, "0-3")]
    public string Host { get; set; } = string.Empty;

    [KafkaField(5, "0-3")]
    public int Port { get; set; } = -1;

    [KafkaField(6, "4+")]
    public List<Coordinator> Coordinators { get; set; } = [];

    public sealed class Coordinator
    {
        [KafkaField(0)]
        public string Key { get; set; } = string.Empty;

        [KafkaField(1)]
        public int NodeId { get; set; } = -1;

        [KafkaField(2)]
        public string Host { get; set; } = string.Empty;

        [KafkaField(3)]
        public int Port { get; set; } = -1;

        [KafkaField(4)]
        public short ErrorCode { get; set; }

        [KafkaField(5, NullableVersions = "0+")]
        public string? ErrorMessage { get; set; }
    }
}
