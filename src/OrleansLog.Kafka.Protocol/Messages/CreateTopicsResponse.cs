namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="CreateTopicsRequest"/>: an error code and message per topic.</summary>
[KafkaMessage(ApiKey.CreateTopics, 2, 7, 5)]
public sealed class CreateTopicsResponse
{
    [KafkaField(0)]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public List<Topic> Topics { get; set; } = [];

    public sealed class Topic
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1, "7+")]
        public Guid TopicId { get; set; }

        [KafkaField(2)]
        public short ErrorCode { get; set; }

        [KafkaField(3, NullableVersions = "0+")]
        public string? ErrorMessage { get; set; }

        [KafkaField(4, "5+")]
        public int NumPartitions { get; set; } = -1;

        [KafkaField(5, "5+")]
        public short ReplicationFactor { get; set; } = -1;

        /// <summary>The topic's configuration; null when it is not described (as here).</summary>
        [KafkaField(6, "5+", NullableVersions = "5+")]
        public List<Config>? Configs { get; set; }
    }

    public sealed class Config
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1, NullableVersions = "0+")]
        public string? Value { get; set; }

        [KafkaField(2)]
        public bool ReadOnly { get; set; }

        [KafkaField(3)]
        public sbyte ConfigSource { get; set; } = -1;

        [KafkaField(4)]
        public bool IsSensitive { get; set; }
    }
}
