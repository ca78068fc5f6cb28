namespace OrleansLog.Cli.Connection;

/// <summary>Where the cluster is and how long to try reaching it.</summary>
/// <param name="PostgreSql">
/// When set, the gateways are read from the cluster's PostgreSQL membership table (Orleans ADO.NET
/// clustering, an Npgsql connection string) instead of <paramref name="Gateways"/>.
/// </param>
internal sealed record ConnectionSettings(IReadOnlyList<BootstrapAddress> Gateways, string ClusterId, TimeSpan ConnectTimeout, string? PostgreSql = null)
{
    public const string DefaultBootstrap = "localhost:30000";

    /// <summary>The silo's default cluster and service id (OrleansLog.Silo's SiloSettings).</summary>
    public const string DefaultClusterId = "orleanslog";

    public const string ServiceId = "orleanslog";

    /// <summary>
    /// Long enough to ride out a silo that is still starting (about 2 s here, ORLEANS-NOTES), short enough
    /// that a mistyped address fails while the user is still looking.
    /// </summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);
}
