namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="InitProducerIdRequest"/>.</summary>
[KafkaMessage(ApiKey.InitProducerId, 0, 4, 2)]
public sealed class InitProducerIdResponse
{
    [KafkaField(0)]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public short ErrorCode { get; set; }

    [KafkaField(2)]
    public long ProducerId { get; set; } = -1;

    [KafkaField(3)]
    public short ProducerEpoch { get; set; } = -1;
}
