using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using OrleansLog.Streaming;
using OrleansLog.Streaming.Providers;

namespace Orleans.Hosting;

/// <summary>Registers an OrleansLog stream provider in a silo or a client.</summary>
public static class StreamsBuilderExtensions
{
    /// <summary>
    /// Adds persistent stream provider <paramref name="name"/> whose streams live in OrleansLog topics: one
    /// topic per stream namespace (<see cref="OrleansLogStreamOptions.AddNamespace"/>), one pulling-agent queue
    /// per partition, rewind to any retained offset. The silo must also host OrleansLog (<c>AddOrleansLog</c>)
    /// or belong to a cluster that does.
    /// </summary>
    /// <param name="configureStream">Further Orleans persistent-stream settings (pub-sub, queue balancer, pulling agent).</param>
    public static ISiloBuilder AddOrleansLogStreams(
        this ISiloBuilder builder,
        string name,
        Action<OrleansLogStreamOptions> configure,
        Action<ISiloPersistentStreamConfigurator>? configureStream = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOptions(builder.Services, name, configure);
        builder.AddPersistentStreams(name, OrleansLogAdapterFactory.Create, stream =>
        {
            stream.ConfigurePullingAgent(agent => agent.Configure<IOptionsMonitor<OrleansLogStreamOptions>>((o, monitor) =>
            {
                OrleansLogStreamOptions options = monitor.Get(name);
                o.GetQueueMsgsTimerPeriod = options.PullingPeriod;
                o.BatchContainerBatchSize = options.DeliveryBatchSize;
            }));
            configureStream?.Invoke(stream);
        });
        return builder;
    }

    /// <summary>Adds stream provider <paramref name="name"/> to a client: it produces to OrleansLog topics and subscribes through the silos.</summary>
    public static IClientBuilder AddOrleansLogStreams(
        this IClientBuilder builder,
        string name,
        Action<OrleansLogStreamOptions> configure,
        Action<IClusterClientPersistentStreamConfigurator>? configureStream = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddOptions(builder.Services, name, configure);
        builder.AddPersistentStreams(name, OrleansLogAdapterFactory.Create, stream => configureStream?.Invoke(stream));
        return builder;
    }

    /// <summary>The provider's named options, checked at start-up.</summary>
    private static void AddOptions(IServiceCollection services, string name, Action<OrleansLogStreamOptions> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<OrleansLogStreamOptions>(name).Configure(configure);
        services.AddSingleton<IConfigurationValidator>(sp =>
            new OrleansLogStreamOptionsValidator(name, sp.GetRequiredService<IOptionsMonitor<OrleansLogStreamOptions>>().Get(name)));
    }
}
