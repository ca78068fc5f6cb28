namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>
/// Produce (key 0): record batches for partitions of topics. The records are kept as the bytes that
/// arrived (a slice of the frame), to be handed to the log without re-encoding.
/// </summary>
[KafkaMessage(ApiKey.Produce, 0, 11, 9)]
public sealed class ProduceRequest
{
    [KafkaField(0, "3+", NullableVersions = "3+")]
    public string? TransactionalId { get; set; }

    /// <summary>0: no answer; 1: the leader's append; -1: every in-sync replica.</summary>
    [KafkaField(1)]
    public short Acks { get; set; }

    [KafkaField(2)]
    public int TimeoutMs { get; set; }

    [KafkaField(3)]
    public List<TopicData> Topics { get; set; } = [];

    public sealed class TopicData
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1)]
        public List<PartitionData> Partitions { get; set; } = [];
    }

    public sealed class PartitionData
    {
        [KafkaField(0)]
        public int Index { get; set; }

        [KafkaField(1, NullableVersions = "0+")]
        public ReadOnlyMemory<byte>? Records { get; set; }
    }
}
