namespace OrleansLog.Client;

/// <summary>
/// Defaults for the producers and consumers that <see cref="ServiceCollectionExtensions.AddOrleansLogClient"/>
/// registers. Each producer or consumer made by a factory starts from a copy of these and may adjust it.
/// </summary>
public sealed class OrleansLogClientOptions
{
    /// <summary>Settings of the shared <see cref="IProducer"/> and the default for <see cref="IProducerFactory"/>.</summary>
    public ProducerOptions Producer { get; } = new();

    /// <summary>The default for consumers made by <see cref="IConsumerFactory"/>.</summary>
    public ConsumerOptions Consumer { get; } = new();
}
