using System.Diagnostics;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Integration.Tests.Infrastructure;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>
/// <c>./build.sh bench scale</c>: what partitions cost, with real silo processes on this machine.
/// <list type="bullet">
/// <item><c>first-write</c>: one keyed record to each partition of a new topic on one embedded silo; then a
/// restart, and a first fetch from every partition at once (how many fail or time out).</item>
/// <item><c>partitions-idle</c>: one silo holding N idle partitions of one record each: resident memory, open
/// descriptors, start-up until every partition serves, CPU while idle.</item>
/// <item><c>partitions-rf3</c>: three silos, RF=3, one producer spreading 100 B records over N partitions,
/// against 12 partitions in the same run (ABBA order).</item>
/// <item><c>take-office</c>: one RF=3 partition holding G GB written in 1 KiB batches by an idempotent
/// producer; kill -9 of the leader's node; the new leader's time from activation to serving (its log line)
/// and the time until acks=all writes are taken again.</item>
/// </list>
/// The silo is <c>OLOG_SILO_DLL</c> when set (to measure another build with the same harness).
/// </summary>
internal static class ScaleBenchmarks
{
    public static async Task RunAllAsync(string[] args)
    {
        ScaleSettings settings = ScaleSettings.Parse(args);
        using var cancel = new CancellationTokenSource(TimeSpan.FromHours(1));
        CancellationToken ct = cancel.Token;
        await RunPartAsync(settings, "first-write", () => FirstWriteBenchmark.RunAsync(settings.FirstWritePartitions, ct));
        await RunPartAsync(settings, "partitions-idle", () => IdlePartitionsBenchmark.RunAsync(settings.IdlePartitions, ct));
        await RunPartAsync(settings, "partitions-rf3", () => ReplicatedPartitionsBenchmark.RunAsync(settings.ReplicatedPartitions, settings.BaselinePartitions, settings.ReplicatedRecords, ct));
        await RunPartAsync(settings, "take-office", () => TakeOfficeBenchmark.RunAsync(settings.TakeOfficeGigabytes, ct));
    }

    /// <summary>Runs one part; a part that fails prints a line with its error, and the others still run.</summary>
    private static async Task RunPartAsync(ScaleSettings settings, string part, Func<Task> run)
    {
        if (!settings.Parts.Contains(part))
        {
            return;
        }

        try
        {
            await run();
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"{part} failed: {ex}");
            JsonLine.Write(new Dictionary<string, object> { ["bench"] = part, ["error"] = ex.Message.Split('\n')[0] });
        }
    }

    /// <summary>A fresh data directory under the temp directory, removed by the caller.</summary>
    public static string NewDataDirectory(string name) =>
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "olog-scale-" + name + "-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>One record to every partition of <paramref name="topic"/> at once; returns the wall time and how many failed.</summary>
    public static async Task<(TimeSpan Elapsed, int Failures)> WriteOneToEachAsync(IGrainFactory grains, string topic, int partitions, CancellationToken ct)
    {
        await using var producer = new OrleansLogProducer(grains, new ProducerOptions { Acks = Acks.All, Linger = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(30) });
        var clock = Stopwatch.StartNew();
        Task<RecordMetadata>[] sends = new Task<RecordMetadata>[partitions];
        for (int p = 0; p < partitions; p++)
        {
            sends[p] = producer.ProduceAsync(topic, new Message { Key = BitConverter.GetBytes(p), Value = new byte[100], Partition = p }, ct);
        }

        int failures = 0;
        foreach (Task<RecordMetadata> send in sends)
        {
            try
            {
                await send;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (failures++ == 0)
                {
                    await Console.Error.WriteLineAsync($"{topic}: the first failed write: {ex.GetType().Name}: {ex.Message}");
                }
            }
        }

        return (clock.Elapsed, failures);
    }

    /// <summary>A first fetch from every partition at once, each bounded by a 30 s client timeout; wall time and failures.</summary>
    public static async Task<(TimeSpan Elapsed, int Failures)> FetchFirstFromEachAsync(IGrainFactory grains, string topic, int partitions, int parallelism, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        int failures = 0;
        await Parallel.ForEachAsync(
            Enumerable.Range(0, partitions),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (p, token) =>
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(30));
                    FetchResult result = await grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey())
                        .FetchAsync(new FetchRequest(0, 1 << 20, 1, 0), timeout.Token);
                    bool served = result.Error == ErrorCode.None && result.Records.Length > 0;
                    result.Records.Dispose();
                    if (!served)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                }
            });
        return (clock.Elapsed, failures);
    }
}
