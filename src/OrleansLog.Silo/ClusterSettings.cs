using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace OrleansLog.Silo;

/// <summary>
/// Cluster mode (section <c>Cluster</c>): set <c>Cluster:PostgreSql</c> — in
/// <c>silo-config/cluster.json</c>, as <c>OLOG_Cluster__PostgreSql</c>, or with <c>--postgres</c> — and
/// the silo finds the others through that database (Orleans ADO.NET clustering) and keeps topic and
/// group metadata there (ADO.NET grain storage); partition logs stay on this node's disk. Empty (the
/// default) keeps the embedded single-node broker.
/// </summary>
/// <param name="PostgreSql">Npgsql connection string; empty for embedded mode.</param>
/// <param name="AdvertisedHost">
/// The IP address or host name other silos and clients reach this silo at. 127.0.0.1 (the shipped
/// default) suits several silos on one machine; on separate machines or containers give each silo its
/// own reachable name (docker-compose uses the service name).
/// </param>
/// <param name="ProbeTimeout">Orleans ClusterMembershipOptions.ProbeTimeout.</param>
/// <param name="NumMissedProbesLimit">Orleans ClusterMembershipOptions.NumMissedProbesLimit.</param>
/// <param name="DeactivationTimeout">
/// Orleans GrainCollectionOptions.DeactivationTimeout: how long an activation may take to deactivate or
/// migrate. While it does, calls to it are held. A partition leader that hands over deactivates; when the
/// silo its directory entry or migration target lives on is killed at that moment, the call waits for the
/// 30 s response timeout and, with Orleans' 30 s default here, the partition was unavailable that long.
/// </param>
internal sealed record ClusterSettings(string PostgreSql, string AdvertisedHost, TimeSpan ProbeTimeout, int NumMissedProbesLimit, TimeSpan DeactivationTimeout)
{
    /// <summary>Orleans' ADO.NET invariant name for Npgsql.</summary>
    public const string Invariant = "Npgsql";

    public bool IsEnabled => PostgreSql.Length > 0;

    public static ClusterSettings Bind(IConfiguration configuration)
    {
        IConfigurationSection section = configuration.GetSection("Cluster");
        string postgreSql = section["PostgreSql"]?.Trim() ?? string.Empty;
        if (postgreSql.Length > 0)
        {
            NpgsqlConnectionStringBuilder parsed;
            try
            {
                parsed = new NpgsqlConnectionStringBuilder(postgreSql);
            }
            catch (ArgumentException ex)
            {
                throw new SettingException($"Cluster:PostgreSql is not a valid Npgsql connection string: {ex.Message}");
            }

            if (string.IsNullOrWhiteSpace(parsed.Host) || string.IsNullOrWhiteSpace(parsed.Database))
            {
                throw new SettingException("Cluster:PostgreSql must name a Host and a Database, e.g. 'Host=db;Username=orleans;Password=...;Database=orleans'.");
            }
        }

        string advertisedHost = section["AdvertisedHost"]?.Trim() is { Length: > 0 } host ? host : "127.0.0.1";
        TimeSpan probeTimeout = Duration(section, "ProbeTimeout", TimeSpan.FromSeconds(1));
        int missedProbes = Count(section, "NumMissedProbesLimit", 2);
        TimeSpan deactivationTimeout = Duration(section, "DeactivationTimeout", TimeSpan.FromSeconds(2));
        return new ClusterSettings(postgreSql, advertisedHost, probeTimeout, missedProbes, deactivationTimeout);
    }

    /// <summary>The advertised address as an IPv4 address: literal, or the host name resolved now.</summary>
    public async Task<IPAddress> ResolveAdvertisedAddressAsync(CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(AdvertisedHost, out IPAddress? literal))
        {
            return literal;
        }

        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(AdvertisedHost, cancellationToken);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? addresses.FirstOrDefault()
                ?? throw new SettingException($"Cluster:AdvertisedHost '{AdvertisedHost}' resolves to no address.");
        }
        catch (SocketException ex)
        {
            throw new SettingException($"Cluster:AdvertisedHost '{AdvertisedHost}' cannot be resolved: {ex.Message}");
        }
    }

    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan defaultValue)
    {
        string? raw = section[key];
        if (raw is null)
        {
            return defaultValue;
        }

        if (!TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out TimeSpan value) || value <= TimeSpan.Zero || value > TimeSpan.FromMinutes(5))
        {
            throw new SettingException($"Cluster:{key} must be a duration between 00:00:00.001 and 00:05:00, was '{raw}'.");
        }

        return value;
    }

    private static int Count(IConfigurationSection section, string key, int defaultValue)
    {
        string? raw = section[key];
        if (raw is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value is < 1 or > 100)
        {
            throw new SettingException($"Cluster:{key} must be a whole number between 1 and 100, was '{raw}'.");
        }

        return value;
    }
}
