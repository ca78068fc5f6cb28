using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects the broker host as an operator runs it: a graceful stop writes every partition's
/// clean-shutdown marker (so the next start skips the rescan), topic metadata and producer ids survive
/// a restart, and a bad setting, an unknown switch, an unusable data directory or a port another silo
/// already listens on stops start-up with one line naming it, never a stack trace; the partition quotas
/// refuse a topic, or a node's share, over their limits.
/// </summary>
public sealed class SiloHostTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDataDirectory _data = new("host");
    private string DataDirectory => _data.Path;

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task GracefulStop_WritesCleanShutdownMarkers_AndMetadataSurvivesRestart()
    {
        await using var silo = new SiloProcess(DataDirectory);
        await silo.StartAsync(TimeSpan.FromSeconds(60), Ct);
        long firstProducerId;
        await using (ExternalClient connection = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort))
        {
            var admin = new OrleansLogAdmin(connection.Client);
            await admin.CreateTopicAsync("kept", 2, config: new Dictionary<string, string> { ["retention.ms"] = "86400000" }, cancellationToken: Ct);
            await using var producer = new OrleansLogProducer(connection.Client, new ProducerOptions());
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("kept", $"k{i}", $"v{i}", Ct);
            }

            firstProducerId = (await connection.Client.GetGrain<OrleansLog.Grains.IProducerIdGrain>(OrleansLog.Grains.IProducerIdGrain.Key).InitProducerIdAsync(Ct)).ProducerId;
        }

        await silo.StopAsync(TimeSpan.FromSeconds(30));

        string[] partitionDirectories = Directory.GetDirectories(Path.Combine(DataDirectory, "logs"));
        Assert.Equal(2, partitionDirectories.Length);
        foreach (string directory in partitionDirectories)
        {
            Assert.True(
                Directory.EnumerateFiles(directory).Any(f => Path.GetFileName(f).Contains("cleanshutdown", StringComparison.Ordinal)),
                $"{directory} has no clean-shutdown marker after a graceful stop: {string.Join(", ", Directory.EnumerateFiles(directory).Select(Path.GetFileName))}");
        }

        await silo.StartAsync(TimeSpan.FromSeconds(60), Ct);
        await using ExternalClient again = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort);
        TopicDescription topic = await new OrleansLogAdmin(again.Client).DescribeTopicAsync("kept", Ct);
        Assert.Equal("86400000", topic.Config["retention.ms"]);
        Assert.Equal(10, topic.Partitions.Sum(p => p.HighWatermark));
        long nextProducerId = (await again.Client.GetGrain<OrleansLog.Grains.IProducerIdGrain>(OrleansLog.Grains.IProducerIdGrain.Key).InitProducerIdAsync(Ct)).ProducerId;
        Assert.True(nextProducerId > firstProducerId, $"producer ids must never repeat across restarts: {nextProducerId} after {firstProducerId}");
    }

    [Theory]
    [InlineData("--retention-check-interval", "-00:00:01", "RetentionCheckInterval must be positive")]
    [InlineData("--OrleansLog:StateSyncThreads", "0", "StateSyncThreads must be between 1 and 64, was 0")]
    [InlineData("--OrleansLog:FollowerCheckInterval", "00:00:00", "FollowerCheckInterval must be positive, was 00:00:00")]
    public async Task BadSetting_StopsStartUp_NamingIt(string key, string value, string expected)
    {
        await using var silo = new SiloProcess(DataDirectory, key, value);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.StartAsync(TimeSpan.FromSeconds(60), Ct));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APortAnotherSiloListensOn_StopsStartUp_NamingIt()
    {
        using var otherData = new TempDataDirectory("host-first");
        await using var first = new SiloProcess(otherData.Path);
        await first.StartAsync(TimeSpan.FromSeconds(60), Ct);

        foreach ((string option, int port) in new[] { ("--silo-port", first.SiloPort), ("--gateway-port", first.GatewayPort), ("--http-port", first.HttpPort) })
        {
            await using var second = new SiloProcess(DataDirectory, option, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync(TimeSpan.FromSeconds(60), Ct));
            Assert.Contains($"port ({option}) {port} is already in use", error.Message, StringComparison.Ordinal);
        }

        Assert.True(first.IsRunning, "the silo already on those ports keeps running");
    }

    [Fact]
    public async Task AnUnknownSwitchOrAnUnusableDataDirectory_StopsStartUpWithOneLine_NeverAStackTrace()
    {
        string file = Path.Combine(Path.GetTempPath(), "olog-not-a-directory-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(file, "not a directory", Ct);
        try
        {
            foreach ((string[] arguments, string expected) in new[]
            {
                (new[] { "--bogus-flag", "x" }, "olog-silo: invalid setting: unknown switch --bogus-flag"),
                (new[] { "--data-dir", file }, $"olog-silo: failed to start: the data directory '{file}' (--data-dir) is a file"),
                (new[] { "--data-dir", Path.Combine(file, "sub") }, $"the data directory '{Path.Combine(file, "sub")}' (--data-dir) cannot be written"),
            })
            {
                await using var silo = new SiloProcess(DataDirectory, arguments);
                var error = await Assert.ThrowsAsync<InvalidOperationException>(() => silo.StartAsync(TimeSpan.FromSeconds(60), Ct));
                Assert.Contains(expected, error.Message, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", silo.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task PartitionQuotas_RefuseATopicOrANodeOverTheLimit_NamingTheSetting()
    {
        await using var silo = new SiloProcess(DataDirectory, "--OrleansLog:MaxPartitionsPerTopic", "4", "--OrleansLog:MaxPartitionsPerNode", "6");
        await silo.StartAsync(TimeSpan.FromSeconds(60), Ct);
        await using ExternalClient client = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort);
        var admin = new OrleansLogAdmin(client.Client);

        var perTopic = await Assert.ThrowsAsync<OrleansLogException>(() => admin.CreateTopicAsync("too-wide", 5, cancellationToken: Ct));
        Assert.Equal(ErrorCode.InvalidPartitions, perTopic.Error);
        Assert.Contains("OrleansLog:MaxPartitionsPerTopic", perTopic.Message, StringComparison.Ordinal);

        await admin.CreateTopicAsync("first", 4, cancellationToken: Ct);
        var perNode = await Assert.ThrowsAsync<OrleansLogException>(() => admin.CreateTopicAsync("second", 3, cancellationToken: Ct));
        Assert.Equal(ErrorCode.InvalidPartitions, perNode.Error);
        Assert.Contains("would hold 7 partition replicas (4 now, 3 more), more than the 6 a node may hold (OrleansLog:MaxPartitionsPerNode)", perNode.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("second", await admin.ListTopicsAsync(Ct));

        await admin.CreateTopicAsync("second", 2, cancellationToken: Ct);
        var added = await Assert.ThrowsAsync<OrleansLogException>(() => admin.AddPartitionsAsync("second", 3, Ct));
        Assert.Contains("OrleansLog:MaxPartitionsPerNode", added.Message, StringComparison.Ordinal);
    }
}
