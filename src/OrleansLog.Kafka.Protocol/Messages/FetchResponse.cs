namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="FetchRequest"/>: whole record batches per partition, as stored.</summary>
[KafkaMessage(ApiKey.Fetch, 4, 12, 12)]
public sealed class FetchResponse
{
    [KafkaField(0)]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1, "7+")]
    public short ErrorCode { get; set; }

    [KafkaField(2, "7+")]
    public int SessionId { get; set; }

    [KafkaField(3)]
    public List<TopicResponse> Responses { get; set; } = [];

    public sealed class TopicResponse
    {
        [KafkaField(0)]
        public string Topic { get; set; } = string.Empty;

        [KafkaField(1)]
        public List<PartitionData> Partitions { get; set; } = [];
    }

    public sealed class PartitionData
    {
        [KafkaField(0)]
        public int PartitionIndex { get; set; }

        [KafkaField(1)]
        public short ErrorCode { get; set; }

        [KafkaField(2)]
        public long HighWatermark { get; set; }

        [KafkaField(3)]
        public long LastStableOffset { get; set; } = -1;

        [KafkaField(4, "5+")]
        public long LogStartOffset { get; set; } = -1;

        [KafkaField(5, "12+", Tag = 0, TaggedVersions = "12+")]
        public EpochEndOffset? DivergingEpoch { get; set; }

        [KafkaField(6, "12+", Tag = 1, TaggedVersions = "12+")]
        public LeaderIdAndEpoch? CurrentLeader { get; set; }

        [KafkaField(7, NullableVersions = "4+")]
        public List<AbortedTransaction>? AbortedTransactions { get; set; }

        [KafkaField(8, "11+")]
        public int PreferredReadReplica { get; set; } = -1;

        [KafkaField(9, NullableVersions = "0+")]
        public ReadOnlyMemory<byte>? Records { get; set; }
    }

    public sealed class EpochEndOffset
    {
        [KafkaField(0)]
        public int Epoch { get; set; } = -1;

        [KafkaField(1)]
        public long EndOffset { get; set; } = -1;
    }

    public sealed class LeaderIdAndEpoch
    {
        [KafkaField(0)]
        public int LeaderId { get; set; } = -1;

        [KafkaField(1)]
        public int LeaderEpoch { get; set; } = -1;
    }

    public sealed class AbortedTransaction
    {
        [KafkaField(0)]
        public long ProducerId { get; set; }

        [KafkaField(1)]
        public long FirstOffset { get; set; }
    }
}
