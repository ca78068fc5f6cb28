using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>An Orleans client in the test process, connected to real silo processes' gateways.</summary>
internal sealed class ExternalClient : IAsyncDisposable
{
    private readonly IHost _host;

    private ExternalClient(IHost host) => _host = host;

    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    public static Task<ExternalClient> ConnectAsync(CancellationToken cancellationToken, params int[] gatewayPorts) =>
        ConnectAsync(null, gatewayPorts, cancellationToken);

    /// <summary>A client of the given gateways, configured further by <paramref name="configure"/> (stream providers).</summary>
    public static async Task<ExternalClient> ConnectAsync(Action<IClientBuilder>? configure, int[] gatewayPorts, CancellationToken cancellationToken)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gatewayPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray());
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = "orleanslog";
                o.ServiceId = "orleanslog";
            });
            configure?.Invoke(client);
        });
        IHost host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new ExternalClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _host.Dispose();
    }
}
