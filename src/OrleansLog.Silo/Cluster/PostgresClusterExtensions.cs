using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using OrleansLog.Grains.Hosting;

namespace OrleansLog.Silo.Cluster;

/// <summary>Cluster mode's Orleans wiring: membership and grain state in PostgreSQL.</summary>
internal static class PostgresClusterExtensions
{
    /// <summary>
    /// ADO.NET clustering and ADO.NET grain storage (named <see cref="OrleansLogOptions.StorageName"/>,
    /// so topics, producer ids and consumer-group offsets all live in PostgreSQL) on Npgsql, this silo
    /// advertised at <paramref name="advertised"/>, and failure detection tuned by
    /// <see cref="ClusterSettings.ProbeTimeout"/> and <see cref="ClusterSettings.NumMissedProbesLimit"/>, and
    /// deactivation bounded by <see cref="ClusterSettings.DeactivationTimeout"/>.
    /// Call <see cref="PostgresSchema.EnsureAsync"/> first: the providers expect the schema to exist.
    /// </summary>
    public static ISiloBuilder UsePostgresCluster(this ISiloBuilder silo, SiloSettings settings, ClusterSettings cluster, IPAddress advertised)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertised;
            o.SiloPort = settings.SiloPort;
            o.GatewayPort = settings.GatewayPort;
        });
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = cluster.ProbeTimeout;
            o.NumMissedProbesLimit = cluster.NumMissedProbesLimit;
        });
        silo.Configure<GrainCollectionOptions>(o => o.DeactivationTimeout = cluster.DeactivationTimeout);
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = ClusterSettings.Invariant;
            o.ConnectionString = cluster.PostgreSql;
        });
        return silo.AddPostgresGrainStorage(OrleansLogOptions.StorageName, cluster);
    }

    /// <summary>ADO.NET grain storage <paramref name="name"/> in the cluster's PostgreSQL.</summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder silo, string name, ClusterSettings cluster)
    {
        silo.Services.AddAdoNetGrainStorage(
            name,
            (OptionsBuilder<AdoNetGrainStorageOptions> options) => options.Configure<Serializer>((o, serializer) =>
            {
                o.Invariant = ClusterSettings.Invariant;
                o.ConnectionString = cluster.PostgreSql;
                o.GrainStorageSerializer = new BinaryGrainStorageSerializer(serializer);
            }));
        return silo;
    }
}
