using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Records;
using OrleansLog.Integration.Tests.Infrastructure;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>
/// Failover of a large partition: three silos, one partition with RF=3, filled with G GB in 1 KiB batches
/// by 64 idempotent producers (so producer state is non-trivial), then kill -9 of the leader's node.
/// Prints <c>{"bench":"take-office","log_bytes":…,"ms":…,"failover_ms":…}</c>: <c>ms</c> is the new
/// leader's own figure from activation to serving (its "took office" log line; -1 for a build that does
/// not log it), <c>failover_ms</c> the time from the kill until an acks=all write is taken again.
/// </summary>
internal static partial class TakeOfficeBenchmark
{
    private const int RecordBytes = 1024;
    private const int Producers = 64;

    public static async Task RunAsync(double gigabytes, CancellationToken ct)
    {
        await using ThreeSilos cluster = await ThreeSilos.StartAsync("take-office", ct);
        await using ExternalClient client = await ExternalClient.ConnectAsync(ct, cluster.GatewayPorts);
        var admin = new OrleansLogAdmin(client.Client);
        await admin.CreateTopicAsync("big", 1, 3, new Dictionary<string, string> { ["min.insync.replicas"] = "2" }, ct);

        long batches = (long)(gigabytes * 1e9 / RecordBytes);
        var fill = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => FillAsync(client.Client, 1000 + p, batches / Producers, ct)));
        fill.Stop();
        TopicDescription described = await admin.DescribeTopicAsync("big", ct);
        PartitionDescription partition = described.Partitions[0];
        await Console.Error.WriteLineAsync(
            $"take-office: wrote {batches} batches ({partition.SizeBytes / 1e9:0.00} GB) in {fill.Elapsed.TotalSeconds:0} s; leader {partition.Leader}, ISR [{string.Join(",", partition.Isr)}]");

        int leaderIndex = Array.FindIndex(Enumerable.Range(0, 3).ToArray(), i => ThreeSilos.NodeId(i) == partition.Leader);
        SiloProcess[] survivors = [.. cluster.Silos.Where((_, i) => i != leaderIndex)];
        int[] logLength = [.. survivors.Select(s => s.Output.Length)];
        var failover = Stopwatch.StartNew();
        cluster.Silos[leaderIndex].Kill();
        await using ExternalClient survivorClient = await ExternalClient.ConnectAsync(ct, [.. survivors.Select(s => s.GatewayPort)]);
        await WriteAgainAsync(survivorClient.Client, ct);
        double failoverMs = failover.Elapsed.TotalMilliseconds;

        double tookOffice = -1;
        for (int i = 0; i < survivors.Length; i++)
        {
            Match match = TookOffice().Match(survivors[i].Output[logLength[i]..]);
            if (match.Success)
            {
                tookOffice = double.Parse(match.Groups["ms"].Value, CultureInfo.InvariantCulture);
            }
        }

        JsonLine.Write(new Dictionary<string, object>
        {
            ["bench"] = "take-office",
            ["log_bytes"] = partition.SizeBytes,
            ["batches"] = batches,
            ["producers"] = Producers,
            ["ms"] = Math.Round(tookOffice, 1),
            ["failover_ms"] = Math.Round(failoverMs),
        });
    }

    /// <summary>
    /// One idempotent producer id writing one-record 1 KiB batches, one call at a time (so its sequences
    /// arrive in order), straight to the partition grain — the client's accumulator would only add waiting.
    /// </summary>
    private static async Task FillAsync(IGrainFactory grains, long producerId, long batches, CancellationToken ct)
    {
        IPartitionGrain partition = grains.GetGrain<IPartitionGrain>(new TopicPartition("big", 0).ToGrainKey());
        byte[] value = new byte[RecordBytes];
        using var builder = new RecordBatchBuilder();
        for (long i = 0; i < batches; i++)
        {
            builder.Reset();
            builder.SetProducerState(producerId, 0, (int)(i % int.MaxValue));
            builder.TryAppend(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null, value);
            AppendResult result = await partition.AppendAsync(new RecordBatchPayload(builder.SealToArray()), Acks.Leader, ct);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"take-office: batch {i} of producer {producerId} failed while filling: {result.Error} {result.Message}");
            }
        }
    }

    private static async Task WriteAgainAsync(IGrainFactory grains, CancellationToken ct)
    {
        await using var producer = new OrleansLogProducer(grains, new ProducerOptions
        {
            Acks = Acks.All,
            Linger = TimeSpan.Zero,
            RequestTimeout = TimeSpan.FromMilliseconds(500),
            DeliveryTimeout = TimeSpan.FromMinutes(2),
        });
        await producer.ProduceAsync("big", new Message { Value = new byte[RecordBytes], Partition = 0 }, ct);
    }

    [GeneratedRegex(@"Partition big-0: node \S+ took office .*? (?<ms>[0-9.]+) ms after activation")]
    private static partial Regex TookOffice();
}
