using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace OrleansLog.Client;

/// <summary>The DI-registered <see cref="IProducerFactory"/> and <see cref="IConsumerFactory"/>.</summary>
internal sealed class OrleansLogClientFactory(
    IGrainFactory grainFactory,
    IOptions<OrleansLogClientOptions> options,
    ILoggerFactory? loggerFactory = null,
    TimeProvider? timeProvider = null) : IProducerFactory, IConsumerFactory
{
    private readonly ILoggerFactory _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;

    public IProducer CreateProducer(Action<ProducerOptions>? configure = null)
    {
        ProducerOptions producerOptions = options.Value.Producer.Clone();
        configure?.Invoke(producerOptions);
        return new OrleansLogProducer(grainFactory, producerOptions, _loggerFactory.CreateLogger<OrleansLogProducer>(), timeProvider);
    }

    public IConsumer CreateConsumer(Action<ConsumerOptions>? configure = null)
    {
        ConsumerOptions consumerOptions = options.Value.Consumer.Clone();
        configure?.Invoke(consumerOptions);
        return new OrleansLogConsumer(grainFactory, consumerOptions, _loggerFactory.CreateLogger<OrleansLogConsumer>(), timeProvider);
    }
}
