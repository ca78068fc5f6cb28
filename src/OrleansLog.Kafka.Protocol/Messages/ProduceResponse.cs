namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="ProduceRequest"/> (none when acks is 0).</summary>
[KafkaMessage(ApiKey.Produce, 0, 11, 9)]
public sealed class ProduceResponse
{
    [KafkaField(0)]
    public List<TopicResponse> Responses { get; set; } = [];

    [KafkaField(1, "1+")]
    public int ThrottleTimeMs { get; set; }

    public sealed class TopicResponse
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1)]
        public List<PartitionResponse> Partitions { get; set; } = [];
    }

    public sealed class PartitionResponse
    {
        [KafkaField(0)]
        public int Index { get; set; }

        [KafkaField(1)]
        public short ErrorCode { get; set; }

        [KafkaField(2)]
        public long BaseOffset { get; set; }

        [KafkaField(3, "2+")]
        public long LogAppendTimeMs { get; set; } = -1;

        [KafkaField(4, "5+")]
        public long LogStartOffset { get; set; } = -1;

        [KafkaField(5, "8+")]
        public List<BatchIndexAndErrorMessage> RecordErrors { get; set; } = [];

        [KafkaField(6, "8+", NullableVersions = "8+")]
        public string? ErrorMessage { get; set; }

        /// <summary>Where the partition is led now, when the error says the request went to the wrong broker (KIP-951).</summary>
        [KafkaField(7, "10+", Tag = 0, TaggedVersions = "10+")]
        public LeaderIdAndEpoch? CurrentLeader { get; set; }
    }

    public sealed class BatchIndexAndErrorMessage
    {
        [KafkaField(0)]
        public int BatchIndex { get; set; }

        [KafkaField(1, NullableVersions = "0+")]
        public string? BatchIndexErrorMessage { get; set; }
    }

    public sealed class LeaderIdAndEpoch
    {
        [KafkaField(0)]
        public int LeaderId { get; set; } = -1;

        [KafkaField(1)]
        public int LeaderEpoch { get; set; } = -1;
    }
}
