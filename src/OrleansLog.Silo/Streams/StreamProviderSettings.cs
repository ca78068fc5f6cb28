using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using OrleansLog.Grains.Hosting;
using OrleansLog.Silo.Cluster;
using OrleansLog.Streaming;

namespace OrleansLog.Silo.Streams;

/// <summary>
/// Section <c>Streams</c>: one child per OrleansLog stream provider the broker hosts, each with the provider's
/// options and its namespaces, for example
/// <c>"Streams": { "olog": { "CacheSize": 4096, "Namespaces": { "orders": { "Partitions": 8, "ReplicationFactor": 3 } } } }</c>
/// or <c>--Streams:olog:Namespaces:orders:Partitions 8</c>. Explicit subscriptions keep their state in grain
/// storage <c>PubSubStore</c>: files under the data directory when embedded, PostgreSQL in cluster mode.
/// </summary>
internal static class StreamProviderSettings
{
    public const string Section = "Streams";
    public const string PubSubStore = "PubSubStore";

    public static void AddStreamProviders(ISiloBuilder silo, IConfiguration configuration, ClusterSettings cluster)
    {
        IConfigurationSection[] providers = configuration.GetSection(Section).GetChildren().ToArray();
        if (providers.Length == 0)
        {
            return;
        }

        if (cluster.IsEnabled)
        {
            silo.AddPostgresGrainStorage(PubSubStore, cluster);
        }
        else
        {
            silo.AddOrleansLogFileGrainStorage(PubSubStore);
        }

        foreach (IConfigurationSection provider in providers)
        {
            silo.AddOrleansLogStreams(provider.Key, o => Bind(provider, o));
        }
    }

    /// <summary>Binds one provider's section: its options, then one <see cref="OrleansLogStreamOptions.AddNamespace"/> per child of <c>Namespaces</c>.</summary>
    public static void Bind(IConfigurationSection provider, OrleansLogStreamOptions options)
    {
        // The namespaces are added through AddNamespace, not bound as a dictionary.
        IConfigurationRoot scalars = new ConfigurationBuilder()
            .AddInMemoryCollection(provider.AsEnumerable(makePathsRelative: true)
                .Where(kv => kv.Value is not null && !kv.Key.StartsWith("Namespaces", StringComparison.OrdinalIgnoreCase)))
            .Build();
        scalars.Bind(options, b => b.ErrorOnUnknownConfiguration = true);
        foreach (IConfigurationSection ns in provider.GetSection("Namespaces").GetChildren())
        {
            options.AddNamespace(ns.Key, n => ns.Bind(n, b => b.ErrorOnUnknownConfiguration = true));
        }
    }
}
