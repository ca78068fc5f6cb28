using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Configuration;
using OrleansLog.Grains.Cluster;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Persistence;
using OrleansLog.Grains.Placement;

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
        OrleansLog.Grains.Groups.GroupCoordinatorServiceCollectionExtensions.AddGroupCoordinators(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<NodeIdentity>();
        services.TryAddSingleton<LogManager>();
        services.TryAddSingleton<IStorageHealth>(sp => sp.GetRequiredService<LogManager>());
        services.TryAddSingleton<ClusterNodes>();
        services.TryAddSingleton<Replication.ReplicaFetcherManager>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Replication.ReplicaFetcherManager>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, LocalReplicaSupervisor>();

        // The silo's name in Orleans membership is its node id, so placement can map the node ids of
        // partition assignments to silo addresses (which change on every restart). PostConfigure wins
        // over hosts and test harnesses that name silos themselves.
        services.AddOptions<SiloOptions>().PostConfigure<NodeIdentity>(static (silo, node) => silo.SiloName = node.NodeId);
        builder.AddPlacementDirector<PartitionPlacementStrategy, PartitionPlacementDirector>();
        builder.AddPlacementDirector<NodePlacementStrategy, NodePlacementDirector>();

        var probe = new OrleansLogOptions();
        configure?.Invoke(probe);
        if (probe.UseFileGrainStorage)
        {
            AddFileGrainStorage(builder, OrleansLogOptions.StorageName, "state");
        }

        return builder;
    }

    /// <summary>
    /// Registers durable grain storage <paramref name="name"/> in files under the data directory (directory
    /// <c>state-{name}</c>), fsynced before a write is acknowledged — for grains that live beside OrleansLog in
    /// an embedded silo, such as Orleans streams' pub-sub state (<c>"PubSubStore"</c>). Call after <see cref="AddOrleansLog"/>.
    /// </summary>
    public static ISiloBuilder AddOrleansLogFileGrainStorage(this ISiloBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        AddFileGrainStorage(builder, name, "state-" + name);
        return builder;
    }

    private static void AddFileGrainStorage(ISiloBuilder builder, string name, string directory) =>
        builder.Services.AddGrainStorage(name, (sp, _) =>
        {
            OrleansLogOptions options = sp.GetRequiredService<IOptions<OrleansLogOptions>>().Value;
            return new FileGrainStorage(
                Path.Combine(Path.GetFullPath(options.DataDirectory), directory),
                sp.GetRequiredService<Serializer>(),
                sp.GetRequiredService<ILogger<FileGrainStorage>>(),
                syncThreads: options.StateSyncThreads);
        });
}
