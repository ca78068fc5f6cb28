using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansLog.Client;

/// <summary>Registers the OrleansLog client with dependency injection.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IOrleansLogAdmin"/>, <see cref="IProducerFactory"/>, <see cref="IConsumerFactory"/>
    /// and one shared <see cref="IProducer"/> (disposed, and so flushed, with the container). Needs an
    /// <see cref="IGrainFactory"/> in the container: Orleans registers one both in a client
    /// (<c>UseOrleansClient</c>) and in a silo (<c>UseOrleans</c>). A registered <see cref="TimeProvider"/> is
    /// used when present. Options are validated when the first producer or consumer is made.
    /// </summary>
    public static IServiceCollection AddOrleansLogClient(this IServiceCollection services, Action<OrleansLogClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<OrleansLogClientOptions> options = services.AddOptions<OrleansLogClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(
            static o =>
            {
                ProducerOptionsValidator.Validate(o.Producer);
                ConsumerOptionsValidator.Validate(o.Consumer);
                return true;
            });

        services.TryAddSingleton<IOrleansLogAdmin>(static sp => new OrleansLogAdmin(sp.GetRequiredService<IGrainFactory>()));
        services.TryAddSingleton(static sp => new OrleansLogClientFactory(
            sp.GetRequiredService<IGrainFactory>(),
            sp.GetRequiredService<IOptions<OrleansLogClientOptions>>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IProducerFactory>(static sp => sp.GetRequiredService<OrleansLogClientFactory>());
        services.TryAddSingleton<IConsumerFactory>(static sp => sp.GetRequiredService<OrleansLogClientFactory>());
        services.TryAddSingleton<IProducer>(static sp => sp.GetRequiredService<IProducerFactory>().CreateProducer());
        return services;
    }
}
