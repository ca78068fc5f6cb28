using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>
/// Many replicated partitions: three silos, RF=3 with min.insync.replicas=2, one producer (acks=all,
/// 100 B values, no keys — the sticky partitioner spreads batches over every partition) into a topic of N
/// partitions and one of 12, in ABBA order within one run. Prints
/// <c>{"bench":"partitions-rf3","partitions":N,"records_per_s":…,"baseline_partitions":12,"baseline_records_per_s":…,"ratio":…}</c>.
/// </summary>
internal static partial class ReplicatedPartitionsBenchmark
{
    public static async Task RunAsync(int partitions, int baselinePartitions, long records, CancellationToken ct)
    {
        await using ThreeSilos cluster = await ThreeSilos.StartAsync("rf3", ct);
        await using ExternalClient client = await ExternalClient.ConnectAsync(ct, cluster.GatewayPorts);
        var admin = new OrleansLogAdmin(client.Client);
        var config = new Dictionary<string, string> { ["min.insync.replicas"] = "2" };
        await admin.CreateTopicAsync("many", partitions, 3, config, ct);
        await admin.CreateTopicAsync("few", baselinePartitions, 3, config, ct);

        try
        {
            await MeasureAsync(client.Client, partitions, baselinePartitions, records, ct);
        }
        catch (Exception ex) when (FailedPartition().Match(ex.Message) is { Success: true } match)
        {
            var partition = new TopicPartition(match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            Console.Error.WriteLine($"partitions-rf3: what the silos said about {partition}:\n{cluster.LinesAbout(partition)}");
            throw;
        }
    }

    [GeneratedRegex(@"\b(many|few)-(\d+)\b")]
    private static partial Regex FailedPartition();

    private static async Task MeasureAsync(IGrainFactory grains, int partitions, int baselinePartitions, long records, CancellationToken ct)
    {
        // Warm-up: one record to every partition activates it and its followers (the sticky partitioner alone
        // leaves many untouched, and their first write — an election, a PostgreSQL write — would land in the
        // timed runs), then the paths are JIT-compiled.
        await TouchEveryPartitionAsync(grains, "many", partitions, ct);
        await TouchEveryPartitionAsync(grains, "few", baselinePartitions, ct);
        await ProduceAsync(grains, "many", records / 10, ct);
        await ProduceAsync(grains, "few", records / 10, ct);
        double few1 = await ProduceAsync(grains, "few", records, ct);
        double many1 = await ProduceAsync(grains, "many", records, ct);
        double many2 = await ProduceAsync(grains, "many", records, ct);
        double few2 = await ProduceAsync(grains, "few", records, ct);
        double many = (many1 + many2) / 2;
        double few = (few1 + few2) / 2;
        JsonLine.Write(new Dictionary<string, object>
        {
            ["bench"] = "partitions-rf3",
            ["partitions"] = partitions,
            ["records_per_s"] = Math.Round(many),
            ["baseline_partitions"] = baselinePartitions,
            ["baseline_records_per_s"] = Math.Round(few),
            ["ratio"] = Math.Round(many / few, 3),
            ["records"] = records,
        });
    }

    private static async Task TouchEveryPartitionAsync(IGrainFactory grains, string topic, int partitions, CancellationToken ct)
    {
        // Activating a thousand partitions at once takes longer than one request's default 2 s.
        await using var producer = new OrleansLogProducer(grains, new ProducerOptions { Acks = Acks.All, RequestTimeout = TimeSpan.FromSeconds(30) });
        await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => producer.ProduceAsync(topic, new Message { Value = new byte[100], Partition = p }, ct)));
    }

    private static async Task<double> ProduceAsync(IGrainFactory grains, string topic, long records, CancellationToken ct)
    {
        await using var producer = new OrleansLogProducer(grains, new ProducerOptions { Acks = Acks.All });
        long failed = 0;
        Exception? first = null;
        byte[] value = new byte[100];
        var clock = Stopwatch.StartNew();
        for (long i = 0; i < records; i++)
        {
            await producer.ProduceAsync(topic, new Message { Value = value }, (_, error) =>
            {
                if (error is not null && Interlocked.Increment(ref failed) == 1)
                {
                    first = error;
                }
            }, ct);
        }

        await producer.FlushAsync(ct);
        double rate = records / clock.Elapsed.TotalSeconds;
        if (failed > 0)
        {
            throw new InvalidOperationException($"partitions-rf3: {failed} of {records} records to '{topic}' failed; the first: {first?.Message}", first);
        }

        return rate;
    }
}
