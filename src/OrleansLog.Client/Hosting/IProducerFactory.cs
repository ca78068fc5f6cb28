namespace OrleansLog.Client;

/// <summary>Makes producers with the registered <see cref="OrleansLogClientOptions.Producer"/> defaults.</summary>
public interface IProducerFactory
{
    /// <summary>
    /// A new producer; <paramref name="configure"/> adjusts a copy of the defaults. The caller owns it and must
    /// dispose it (which flushes).
    /// </summary>
    IProducer CreateProducer(Action<ProducerOptions>? configure = null);
}
