using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Persistence;

namespace OrleansLog.Grains.Hosting;

/// <summary>Composition of OrleansLog inside any Orleans silo (the OrleansLog.Silo host, an ASP.NET co-host, tests).</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Hosts OrleansLog's grains in this silo: partition logs on this node's disk under
    /// <see cref="OrleansLogOptions.DataDirectory"/>, the group-commit scheduler, and — unless
    /// <see cref="OrleansLogOptions.UseFileGrainStorage"/> is off — durable file grain state for topic
    /// metadata under the same directory.
    /// </summary>
    public static ISiloBuilder AddOrleansLog(this ISiloBuilder builder, Action<OrleansLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        OptionsBuilder<OrleansLogOptions> options = services.AddOptions<OrleansLogOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddTransient<IConfigurationValidator, OrleansLogOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NodeIdentity>();
        services.TryAddSingleton<LogManager>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PartitionWarmup>();

        var probe = new OrleansLogOptions();
        configure?.Invoke(probe);
        if (probe.UseFileGrainStorage)
        {
            services.AddGrainStorage(OrleansLogOptions.StorageName, static (sp, _) => new FileGrainStorage(
                Path.Combine(Path.GetFullPath(sp.GetRequiredService<IOptions<OrleansLogOptions>>().Value.DataDirectory), "state"),
                sp.GetRequiredService<Serializer>(),
                sp.GetRequiredService<ILogger<FileGrainStorage>>()));
        }

        return builder;
    }
}
