using Orleans.TestingHost;
using OrleansLog.Grains.Hosting;
using Xunit;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>
/// A one-silo in-process cluster hosting OrleansLog with its own data directory, for tests that do not
/// need a separate process. Shared per test class; each test uses its own topic names.
/// </summary>
public sealed class InProcessBroker : IAsyncLifetime
{
    private InProcessTestCluster? _cluster;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "olog-it-" + Guid.NewGuid().ToString("N")[..12]);

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The broker has not started.");

    public IClusterClient Client => Cluster.Client;

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        string dataDirectory = DataDirectory;
        builder.ConfigureSilo((_, silo) => silo.AddOrleansLog(o =>
        {
            o.DataDirectory = dataDirectory;
            o.RetentionCheckInterval = TimeSpan.FromMilliseconds(200);

            // Consumer-group tests use sessions of a few seconds and must not wait 3 s for each first rebalance.
            o.Groups.InitialRebalanceDelay = TimeSpan.FromMilliseconds(100);
            o.Groups.MinSessionTimeout = TimeSpan.FromSeconds(1);
        }));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
