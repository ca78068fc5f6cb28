using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansLog.Client;

namespace OrleansLog.Cli.Connection;

/// <summary>
/// An external Orleans client connected to the cluster's gateways, with the OrleansLog admin, producer
/// and consumer factories on top. Logging is Warning and above, one line each, on standard error, so
/// standard output carries only the command's results. Dispose to close the connection.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly IHost _host;
    private readonly CommandLoggerProvider _log;

    private ClusterConnection(IHost host, CommandLoggerProvider log)
    {
        _host = host;
        _log = log;
        Admin = host.Services.GetRequiredService<IOrleansLogAdmin>();
        Producers = host.Services.GetRequiredService<IProducerFactory>();
        Consumers = host.Services.GetRequiredService<IConsumerFactory>();
        Grains = host.Services.GetRequiredService<IClusterClient>();
    }

    public IOrleansLogAdmin Admin { get; }

    public IProducerFactory Producers { get; }

    public IConsumerFactory Consumers { get; }

    /// <summary>The Orleans client itself, for the few commands that talk to grains without an OrleansLog.Client wrapper.</summary>
    public IGrainFactory Grains { get; }

    /// <summary>
    /// Resolves the gateways and starts the client, retrying until <see cref="ConnectionSettings.ConnectTimeout"/>.
    /// </summary>
    /// <exception cref="CliException">NetworkException: no gateway could be resolved or reached.</exception>
    /// <param name="error">Where warnings go once connected (see <see cref="CommandLoggerProvider"/>).</param>
    public static async Task<ClusterConnection> ConnectAsync(ConnectionSettings settings, TextWriter error, CancellationToken cancellationToken)
    {
        IPEndPoint[] endpoints = settings.PostgreSql is null ? await ResolveAsync(settings.Gateways, cancellationToken) : [];
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var log = new CommandLoggerProvider(error);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(log);

        // The default console lifetime would stop the client on Ctrl+C behind the command's back; the
        // command line's own cancellation token is what ends a command.
        builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
        var connectClock = Stopwatch.StartNew();
        builder.UseOrleansClient(client =>
        {
            if (settings.PostgreSql is null)
            {
                client.UseStaticClustering(endpoints);
            }
            else
            {
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = settings.PostgreSql;
                });
            }

            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = ConnectionSettings.ServiceId;
            });
            client.UseConnectionRetryFilter(async (_, ct) =>
            {
                if (connectClock.Elapsed + RetryDelay > settings.ConnectTimeout)
                {
                    return false;
                }

                await Task.Delay(RetryDelay, ct);
                return true;
            });
        });
        builder.Services.AddOrleansLogClient();

        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            host.Dispose();
            string where = settings.PostgreSql is null
                ? $"at {string.Join(',', settings.Gateways)}"
                : $"through PostgreSQL ({DescribePostgres(settings.PostgreSql)})";
            throw new CliException(
                ErrorCode.NetworkException,
                $"cannot connect to the cluster {where} (cluster id '{settings.ClusterId}') within {settings.ConnectTimeout.TotalMilliseconds:0} ms: {ex.Message}");
        }
        catch
        {
            host.Dispose();
            throw;
        }

        log.Open();
        return new ClusterConnection(host, log);
    }

    public async ValueTask DisposeAsync()
    {
        _log.Close();
        using var stopTimeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _host.StopAsync(stopTimeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Closing the gateway connections took too long; the process is about to exit anyway.
        }
        finally
        {
            _host.Dispose();
        }
    }

    /// <summary>Host, port and database of a connection string, for messages; never the password.</summary>
    private static string DescribePostgres(string connectionString)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return $"host {builder.Host}:{builder.Port}, database '{builder.Database}'";
        }
        catch (ArgumentException)
        {
            return "an invalid connection string";
        }
    }

    /// <summary>'localhost' is 127.0.0.1 (the silo listens on IPv4); other names go through DNS.</summary>
    private static async Task<IPEndPoint[]> ResolveAsync(IReadOnlyList<BootstrapAddress> gateways, CancellationToken cancellationToken)
    {
        var endpoints = new IPEndPoint[gateways.Count];
        for (int i = 0; i < gateways.Count; i++)
        {
            BootstrapAddress gateway = gateways[i];
            endpoints[i] = new IPEndPoint(await ResolveHostAsync(gateway, cancellationToken), gateway.Port);
        }

        return endpoints;
    }

    private static async Task<IPAddress> ResolveHostAsync(BootstrapAddress gateway, CancellationToken cancellationToken)
    {
        if (string.Equals(gateway.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        if (IPAddress.TryParse(gateway.Host, out IPAddress? literal))
        {
            return literal;
        }

        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(gateway.Host, cancellationToken);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? addresses.FirstOrDefault()
                ?? throw new CliException(ErrorCode.NetworkException, $"--bootstrap host '{gateway.Host}' resolved to no address");
        }
        catch (SocketException ex)
        {
            throw new CliException(ErrorCode.NetworkException, $"--bootstrap host '{gateway.Host}' cannot be resolved: {ex.Message}");
        }
    }
}
