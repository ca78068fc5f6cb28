namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>FindCoordinator (key 10): which broker coordinates a group (key type 0) or transaction (1). Version 4 batches keys.</summary>
[KafkaMessage(ApiKey.FindCoordinator, 0, 4, 3)]
public sealed class FindCoordinatorRequest
{
    [KafkaField(0, "0-3")]
    public string Key { get; set; } = string.Empty;

    [KafkaField(1, "1+")]
    public sbyte KeyType { get; set; }

    [KafkaField(2, "4+")]
    public List<string> CoordinatorKeys { get; set; } = [];
}
