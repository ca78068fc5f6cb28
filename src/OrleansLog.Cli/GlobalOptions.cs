using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli;

/// <summary>The options every subcommand that talks to a cluster accepts (they are recursive).</summary>
internal sealed class GlobalOptions
{
    public const string BootstrapEnvironmentVariable = "OLOG_BOOTSTRAP";
    public const string PostgresEnvironmentVariable = "OLOG_POSTGRES";

    public Option<string> Bootstrap { get; } = new("--bootstrap")
    {
        Description = $"Orleans gateway endpoints, host:port[,host:port...]. Default: ${BootstrapEnvironmentVariable}, else {ConnectionSettings.DefaultBootstrap}.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(BootstrapEnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : ConnectionSettings.DefaultBootstrap,
    };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = $"Find the gateways in the cluster's PostgreSQL database instead of --bootstrap (an Npgsql connection string, e.g. 'Host=db;Username=orleans;Password=...;Database=orleans'). Default: ${PostgresEnvironmentVariable}.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(PostgresEnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : null,
    };

    public Option<string> ClusterId { get; } = new("--cluster-id")
    {
        Description = $"The Orleans cluster id of the silos. Default: {ConnectionSettings.DefaultClusterId}.",
        Recursive = true,
        DefaultValueFactory = _ => ConnectionSettings.DefaultClusterId,
    };

    public Option<int> ConnectTimeoutMs { get; } = new("--connect-timeout-ms")
    {
        Description = "How long to keep trying to reach a gateway before giving up.",
        Recursive = true,
        DefaultValueFactory = _ => (int)ConnectionSettings.DefaultConnectTimeout.TotalMilliseconds,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Bootstrap);
        root.Options.Add(Postgres);
        root.Options.Add(ClusterId);
        root.Options.Add(ConnectTimeoutMs);
    }

    /// <summary>Reads and checks the connection options; a malformed one is a usage error.</summary>
    public ConnectionSettings GetConnectionSettings(ParseResult parseResult)
    {
        int connectTimeoutMs = parseResult.GetValue(ConnectTimeoutMs);
        if (connectTimeoutMs < 0)
        {
            throw CliException.Usage($"--connect-timeout-ms must be 0 or more, was {connectTimeoutMs}");
        }

        string clusterId = parseResult.GetValue(ClusterId) ?? ConnectionSettings.DefaultClusterId;
        if (string.IsNullOrWhiteSpace(clusterId))
        {
            throw CliException.Usage("--cluster-id must not be empty");
        }

        string? postgres = parseResult.GetValue(Postgres);
        if (postgres is not null && string.IsNullOrWhiteSpace(postgres))
        {
            throw CliException.Usage("--postgres must be an Npgsql connection string, was empty");
        }

        return new ConnectionSettings(
            postgres is null ? BootstrapParser.Parse(parseResult.GetValue(Bootstrap) ?? ConnectionSettings.DefaultBootstrap) : [],
            clusterId,
            TimeSpan.FromMilliseconds(connectTimeoutMs),
            postgres);
    }
}
