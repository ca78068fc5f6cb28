namespace OrleansLog;

/// <summary>An idempotent producer's identity (Kafka InitProducerId): unique id and its epoch.</summary>
[GenerateSerializer, Immutable, Alias("olog.ProducerIdAndEpoch")]
public readonly record struct ProducerIdAndEpoch([property: Id(0)] long ProducerId, [property: Id(1)] short Epoch);
