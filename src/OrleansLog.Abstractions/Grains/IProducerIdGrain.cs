namespace OrleansLog.Grains;

/// <summary>
/// Hands out unique producer ids for idempotent producers (Kafka InitProducerId). A single activation,
/// key <see cref="Key"/>; ids are reserved in durable blocks so a restart never hands one out twice.
/// </summary>
[Alias("olog.IProducerIdGrain")]
public interface IProducerIdGrain : IGrainWithStringKey
{
    public const string Key = "producer-ids";

    [Alias("init-producer-id")]
    Task<ProducerIdAndEpoch> InitProducerIdAsync(CancellationToken cancellationToken = default);
}
