using Microsoft.Extensions.Configuration;
using Xunit;

namespace OrleansLog.Silo.Tests;

/// <summary>
/// Protects how cluster mode is selected and tuned: embedded stays the default (the shipped
/// cluster.json names no database), --postgres and the environment switch it on, the shipped failure
/// detection is the measured 1 s x 2, and a bad value stops start-up naming the setting.
/// </summary>
public sealed class ClusterSettingsTests
{
    [Fact]
    public void ShippedConfiguration_IsEmbeddedMode_WithTunedFailureDetection()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonFile(RepositoryFiles.PathOf("silo-config/appsettings.json"))
            .AddJsonFile(RepositoryFiles.PathOf("silo-config/cluster.json"))
            .Build();

        ClusterSettings cluster = ClusterSettings.Bind(configuration);

        Assert.Equal(new ClusterSettings(string.Empty, "127.0.0.1", TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(2)), cluster);
        Assert.False(cluster.IsEnabled);
    }

    [Fact]
    public void PostgresSwitch_SelectsClusterMode()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddCommandLine(["--postgres", "Host=db;Username=orleans;Database=orleans", "--advertised-host", "silo1"], CommandLineSwitches.Map)
            .Build();

        ClusterSettings cluster = ClusterSettings.Bind(configuration);

        Assert.True(cluster.IsEnabled);
        Assert.Equal(("Host=db;Username=orleans;Database=orleans", "silo1"), (cluster.PostgreSql, cluster.AdvertisedHost));
    }

    [Fact]
    public async Task AdvertisedHost_ResolvesLiteralsAndNames()
    {
        Assert.Equal("127.0.0.1", (await ClusterSettings.Bind(new ConfigurationBuilder().Build()).ResolveAdvertisedAddressAsync(TestContext.Current.CancellationToken)).ToString());
        ClusterSettings named = ClusterSettings.Bind(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Cluster:AdvertisedHost"] = "localhost" }).Build());
        Assert.True(System.Net.IPAddress.IsLoopback(await named.ResolveAdvertisedAddressAsync(TestContext.Current.CancellationToken)));
    }

    [Theory]
    [InlineData("Cluster:PostgreSql", "Username=orleans", "Cluster:PostgreSql must name a Host and a Database")]
    [InlineData("Cluster:PostgreSql", "Host=db;Bogus Keyword=1", "Cluster:PostgreSql is not a valid Npgsql connection string")]
    [InlineData("Cluster:ProbeTimeout", "0", "Cluster:ProbeTimeout must be a duration between 00:00:00.001 and 00:05:00, was '0'.")]
    [InlineData("Cluster:DeactivationTimeout", "-00:00:01", "Cluster:DeactivationTimeout must be a duration between 00:00:00.001 and 00:05:00, was '-00:00:01'.")]
    [InlineData("Cluster:NumMissedProbesLimit", "0", "Cluster:NumMissedProbesLimit must be a whole number between 1 and 100, was '0'.")]
    public void BadSetting_FailsNamingIt(string key, string value, string expected)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })
            .Build();

        var error = Assert.Throws<SettingException>(() => ClusterSettings.Bind(configuration));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
