using System.Diagnostics;
using System.Text;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects a broker whose disk fills up (a real ENOSPC, on a small tmpfs): acknowledged records stay
/// readable while the disk is full, the failed log is visible on /health, in <c>topics describe</c> and in
/// <c>cluster describe</c>, writes resume on their own once space is freed (no restart), and every
/// acknowledged record survives a restart afterwards.
/// </summary>
public sealed class DiskFullTests : IAsyncLifetime
{
    private const string Topic = "full";
    private const long TmpfsBytes = 8 * 1024 * 1024;
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly string _mount = Path.Combine(Path.GetTempPath(), "olog-enospc-" + Guid.NewGuid().ToString("N")[..8]);
    private SiloProcess? _silo;

    private string Filler => Path.Combine(_mount, "filler");

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_mount);
        (int exitCode, string output) = await RunAsync("mount", "-t", "tmpfs", "-o", $"size={TmpfsBytes}", "tmpfs", _mount);
        Assert.True(exitCode == 0, $"mounting a {TmpfsBytes}-byte tmpfs at {_mount} failed (these tests run as root, as the test command does): {output}");
        _silo = new SiloProcess(Path.Combine(_mount, "data"));
        await _silo.StartAsync(Deadline, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        await RunAsync("umount", _mount);
        Directory.Delete(_mount, recursive: true);
    }

    [Fact]
    public async Task ADiskThatFillsUp_KeepsServingReads_ShowsTheFailedLog_AndTakesWritesAgainOnceSpaceIsFreed()
    {
        SiloProcess silo = _silo!;
        var acknowledged = new List<(long Offset, string Value)>();
        await using (ExternalClient client = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort))
        {
            var admin = new OrleansLogAdmin(client.Client);
            await admin.CreateTopicAsync(Topic, 1, cancellationToken: Ct);

            // 1. Leave about 300 KB free, then produce until a record cannot be stored.
            long free = new DriveInfo(_mount).AvailableFreeSpace;
            long fill = Math.Max(0, free - (300 * 1024));
            await using (FileStream filler = File.Create(Filler))
            {
                byte[] block = new byte[64 * 1024];
                for (long written = 0; written < fill; written += block.Length)
                {
                    await filler.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, fill - written)), Ct);
                }
            }

            await using (var producer = new OrleansLogProducer(client.Client, new ProducerOptions { Acks = Acks.All, DeliveryTimeout = TimeSpan.FromSeconds(5) }))
            {
                bool full = false;
                for (int round = 0; !full; round++)
                {
                    Assert.True(round < 100, "the disk never filled up");
                    var sends = new List<(string Value, Task<RecordMetadata> Ack)>();
                    for (int i = 0; i < 200; i++)
                    {
                        string value = $"record-{round:D3}-{i:D3}-" + new string('x', 80);
                        sends.Add((value, producer.ProduceAsync(Topic, new Message { Value = Encoding.UTF8.GetBytes(value) }, Ct)));
                    }

                    foreach ((string value, Task<RecordMetadata> ack) in sends)
                    {
                        try
                        {
                            acknowledged.Add(((await ack).Offset, value));
                        }
                        catch (OrleansLogException)
                        {
                            full = true;
                        }
                    }
                }
            }

            Assert.NotEmpty(acknowledged);

            // 2. The disk is still full: what was acknowledged is read back, and the failed log is visible.
            Assert.Equal(acknowledged.Select(a => a.Value), await ReadAsync(client, acknowledged.Count));
            string health = await HealthAsync(silo);
            Assert.Contains($"failed log {Topic}-0: ", health, StringComparison.Ordinal);
            Assert.Contains("No space left on device", health, StringComparison.Ordinal);
            PartitionDescription described = (await Eventually.WaitAsync(
                () => admin.DescribeTopicAsync(Topic, Ct), d => d.Partitions[0].StorageFailure is not null, Deadline, $"topics describe showing the failed log of {Topic}-0", Ct)).Partitions[0];
            Assert.Contains("No space left on device", described.StorageFailure, StringComparison.Ordinal);
            ClusterDescription cluster = await client.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).DescribeAsync(Ct);
            Assert.Contains(cluster.Nodes.SelectMany(n => n.FailedLogs ?? []), f => f.StartsWith($"{Topic}-0: ", StringComparison.Ordinal));

        }

        // 3. Killed while the disk is full, the broker starts again and serves every acknowledged record:
        //    neither start-up nor recovery needs free space.
        silo.Kill();
        await silo.StartAsync(Deadline, Ct);
        Assert.Contains("is full", silo.Output, StringComparison.Ordinal);
        await using (ExternalClient client = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort))
        {
            var admin = new OrleansLogAdmin(client.Client);
            Assert.Equal(acknowledged.Select(a => a.Value), await ReadAsync(client, acknowledged.Count));

            // 4. Space is freed: the next writes succeed without a restart, and the failure is no longer reported.
            File.Delete(Filler);
            await using (var producer = new OrleansLogProducer(client.Client, new ProducerOptions { Acks = Acks.All }))
            {
                RecordMetadata after = await producer.ProduceAsync(Topic, new Message { Value = Encoding.UTF8.GetBytes("after") }, Ct).WaitAsync(Deadline, Ct);
                acknowledged.Add((after.Offset, "after"));
            }

            await Eventually.WaitAsync(
                () => admin.DescribeTopicAsync(Topic, Ct), d => d.Partitions[0].StorageFailure is null, Deadline, $"{Topic}-0 no longer reported failed", Ct);
            Assert.DoesNotContain("failed log", await HealthAsync(silo), StringComparison.Ordinal);
        }

        // 5. Every acknowledged record survives a restart, at its offset.
        await silo.StopAsync(TimeSpan.FromSeconds(30));
        await silo.StartAsync(Deadline, Ct);
        await using ExternalClient reader = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort);
        List<(long Offset, string Value)> stored = await ReadWithOffsetsAsync(reader, acknowledged.Count);
        Assert.Equal(acknowledged.OrderBy(a => a.Offset), stored);
    }

    private static async Task<List<string>> ReadAsync(ExternalClient client, int count) =>
        [.. (await ReadWithOffsetsAsync(client, count)).Select(r => r.Value)];

    private static async Task<List<(long Offset, string Value)>> ReadWithOffsetsAsync(ExternalClient client, int count)
    {
        await using var consumer = new OrleansLogConsumer(client.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(Topic, 0, 0)]);
        var records = new List<(long, string)>();
        while (records.Count < count)
        {
            ConsumeResult record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(20), Ct)
                ?? throw new TimeoutException($"read {records.Count} of {count} acknowledged records of {Topic}-0");
            records.Add((record.Offset, record.ValueAsString()!));
        }

        return records;
    }

    private static async Task<string> HealthAsync(SiloProcess silo)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{silo.HttpPort}/health"), Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"{command} did not start");
        string output = await process.StandardOutput.ReadToEndAsync(Ct) + await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, output.Trim());
    }
}
