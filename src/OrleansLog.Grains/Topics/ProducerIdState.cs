namespace OrleansLog.Grains.Topics;

/// <summary>Durable state of the producer id allocator: the first id not yet reserved.</summary>
[GenerateSerializer, Alias("olog.ProducerIdState")]
public sealed class ProducerIdState
{
    [Id(0)] public long NextUnreservedId { get; set; }
}
