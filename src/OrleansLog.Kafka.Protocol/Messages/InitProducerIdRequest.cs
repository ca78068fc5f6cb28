namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>InitProducerId (key 22): an idempotent producer's id and epoch; versions 3+ can bump an existing one (KIP-360).</summary>
[KafkaMessage(ApiKey.InitProducerId, 0, 4, 2)]
public sealed class InitProducerIdRequest
{
    [KafkaField(0, NullableVersions = "0+")]
    public string? TransactionalId { get; set; }

    [KafkaField(1)]
    public int TransactionTimeoutMs { get; set; }

    [KafkaField(2, "3+")]
    public long ProducerId { get; set; } = -1;

    [KafkaField(3, "3+")]
    public short ProducerEpoch { get; set; } = -1;
}
