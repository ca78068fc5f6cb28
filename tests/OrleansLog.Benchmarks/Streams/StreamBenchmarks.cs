using System.Diagnostics;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.TestingHost;
using OrleansLog.Grains.Hosting;
using OrleansLog.Streaming;
using OrleansLog.Streaming.TestGrains;

namespace OrleansLog.Benchmarks.Streams;

/// <summary>
/// OrleansLog streams against Orleans' memory streams, in one run, in the same process layout: one silo in
/// this process hosting both providers and the subscriber grains, and a client connected to its gateway.
/// Workloads: one OnNextAsync per event from the client and from grains, OnNextBatchAsync(100), end-to-end
/// latency at a fixed rate (produce → subscriber's OnNextAsync, both clocks the same), and for OrleansLog the
/// replay of 1,000,000 retained events to a new subscriber. One JSON line per provider and workload.
/// </summary>
internal static class StreamBenchmarks
{
    private const string OrleansLogProvider = "orleanslog";
    private const string MemoryProvider = "memory";
    private const int Concurrency = 32;

    /// <param name="quick">Smaller counts and one pass (a smoke run); the full run makes two passes and reports the second.</param>
    /// <param name="provider">Only this provider (for profiling one side); null for both.</param>
    /// <param name="workload">Only this workload; null for all.</param>
    public static async Task RunAllAsync(bool quick, string? provider = null, string? workload = null)
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "olog-streams-bench-" + Guid.NewGuid().ToString("N")[..8]);
        InProcessTestCluster cluster = await StartAsync(dataDirectory);
        try
        {
            int perEvent = quick ? 10_000 : 100_000;
            int batched = quick ? 100_000 : 1_000_000;
            TimeSpan e2e = quick ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(10);

            // Providers alternate within a pass, and the full run reports its second pass, so that neither
            // provider always runs on a colder process.
            for (int pass = quick ? 1 : 0; pass < 2; pass++)
            {
                bool report = pass == 1;
                foreach (string name in new[] { MemoryProvider, OrleansLogProvider }.Where(p => provider is null || p == provider))
                {
                    if (workload is null or "client-per-event")
                    {
                        await ClientPerEventAsync(cluster, name, perEvent, report);
                    }

                    if (workload is null or "grain-per-event")
                    {
                        await GrainPerEventAsync(cluster, name, perEvent, report);
                    }

                    if (workload is null or "batch-100")
                    {
                        await BatchAsync(cluster, name, batched, report);
                    }

                    if (workload is null or "e2e")
                    {
                        await EndToEndAsync(cluster, name, 1_000, e2e, report);
                        await EndToEndAsync(cluster, name, 10_000, e2e, report);
                    }
                }
            }

            if ((provider is null or OrleansLogProvider) && (workload is null or "replay"))
            {
                await ReplayAsync(cluster, quick ? 100_000 : 1_000_000);
            }
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<InProcessTestCluster> StartAsync(string dataDirectory)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddOrleansLog(o => o.DataDirectory = dataDirectory);
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddOrleansLogStreams(OrleansLogProvider, ConfigureOrleansLog);
            silo.AddMemoryStreams(MemoryProvider, m => m.ConfigurePartitioning(8));
        });
        builder.ConfigureClient(client =>
        {
            client.AddOrleansLogStreams(OrleansLogProvider, ConfigureOrleansLog);
            client.AddMemoryStreams(MemoryProvider, m => m.ConfigurePartitioning(8));
        });
        InProcessTestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private static void ConfigureOrleansLog(OrleansLogStreamOptions o)
    {
        o.AddNamespace(Namespaces.Bench, n => n.Partitions = 8);
        o.AddNamespace(Namespaces.Replay, n => n.Partitions = 1);
    }

    private static async Task ClientPerEventAsync(InProcessTestCluster cluster, string provider, int events, bool report)
    {
        string run = Run();
        int perStream = events / Concurrency;
        Interlocked.Exchange(ref s_refusedFull, 0);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async s =>
        {
            IAsyncStream<TestEvent> stream = Stream(cluster, provider, Namespaces.Bench, $"{run}-{s}");
            for (int i = 0; i < perStream; i++)
            {
                await WhenAcceptedAsync(() => stream.OnNextAsync(new TestEvent(i)));
            }
        }));
        TimeSpan produced = clock.Elapsed;
        await WaitDeliveredAsync(cluster, run, perStream, Concurrency);
        Write(report, provider, "client-per-event", perStream * Concurrency, produced, clock.Elapsed);
    }

    private static async Task GrainPerEventAsync(InProcessTestCluster cluster, string provider, int events, bool report)
    {
        string run = Run();
        int perStream = events / Concurrency;
        Interlocked.Exchange(ref s_refusedFull, 0);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(s =>
            cluster.Client.GetGrain<IStreamProducerGrain>($"{run}-{s}").ProduceAsync(provider, Namespaces.Bench, $"{run}-{s}", 0, perStream)));
        TimeSpan produced = clock.Elapsed;
        await WaitDeliveredAsync(cluster, run, perStream, Concurrency);
        Write(report, provider, "grain-per-event", perStream * Concurrency, produced, clock.Elapsed);
    }

    private static async Task BatchAsync(InProcessTestCluster cluster, string provider, int events, bool report)
    {
        string run = Run();
        int perStream = events / Concurrency / 100 * 100;
        Interlocked.Exchange(ref s_refusedFull, 0);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async s =>
        {
            IAsyncStream<TestEvent> stream = Stream(cluster, provider, Namespaces.Bench, $"{run}-{s}");
            var batch = new List<TestEvent>(100);
            for (int i = 0; i < perStream; i += 100)
            {
                batch.Clear();
                for (int j = 0; j < 100; j++)
                {
                    batch.Add(new TestEvent(i + j));
                }

                await WhenAcceptedAsync(() => stream.OnNextBatchAsync(batch));
            }
        }));
        TimeSpan produced = clock.Elapsed;
        await WaitDeliveredAsync(cluster, run, perStream, Concurrency);
        Write(report, provider, "batch-100", perStream * Concurrency, produced, clock.Elapsed);
    }

    /// <summary>A paced producer on 8 streams at <paramref name="rate"/> events/s overall; latency measured at the subscribers after a one-second warm-up.</summary>
    private static async Task EndToEndAsync(InProcessTestCluster cluster, string provider, int rate, TimeSpan duration, bool report)
    {
        const int streams = 8;
        string run = Run();
        var targets = Enumerable.Range(0, streams).Select(s => Stream(cluster, provider, Namespaces.Bench, $"{run}-{s}")).ToArray();

        // Warm-up: activate subscribers and queues without timing.
        for (int s = 0; s < streams; s++)
        {
            await targets[s].OnNextAsync(new TestEvent(-1));
        }

        await WaitDeliveredAsync(cluster, run, 1, streams);
        long total = (long)(rate * duration.TotalSeconds);
        double intervalTicks = Stopwatch.Frequency / (double)rate;
        long start = Stopwatch.GetTimestamp();
        var pending = new List<Task>(1024);
        for (long i = 0; i < total; i++)
        {
            long due = start + (long)(i * intervalTicks);
            while (Stopwatch.GetTimestamp() < due)
            {
                if (due - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 1000)
                {
                    await Task.Delay(1);
                }
                else
                {
                    Thread.SpinWait(20);
                }
            }

            var target = targets[i % streams];
            var item = new TestEvent(i, SentTicks: Stopwatch.GetTimestamp());
            pending.Add(WhenAcceptedAsync(() => target.OnNextAsync(item)));
            if (pending.Count == 1024)
            {
                await Task.WhenAll(pending);
                pending.Clear();
            }
        }

        await Task.WhenAll(pending);
        await WaitDeliveredAsync(cluster, run, 1 + total / streams, streams);
        var latencies = new List<long>();
        for (int s = 0; s < streams; s++)
        {
            latencies.AddRange(await cluster.Client.GetGrain<IBenchSubscriberGrain>($"{run}-{s}").GetLatenciesAsync());
        }

        latencies.Sort();
        if (report)
        {
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            JsonLine.Write(new Dictionary<string, object>
            {
                ["bench"] = "streams",
                ["provider"] = provider,
                ["workload"] = $"e2e-{rate}",
                ["events_per_s"] = Math.Round(total / elapsed),
                ["events"] = total,
                ["p50_us"] = Percentile(latencies, 0.50),
                ["p99_us"] = Percentile(latencies, 0.99),
                ["p999_us"] = Percentile(latencies, 0.999),
                ["max_us"] = latencies.Count == 0 ? 0 : latencies[^1],
            });
        }
    }

    /// <summary>Writes <paramref name="events"/> to one stream of a one-partition topic, then times a new subscriber reading them all from offset 0.</summary>
    private static async Task ReplayAsync(InProcessTestCluster cluster, int events)
    {
        string key = Run();
        IAsyncStream<TestEvent> stream = Stream(cluster, OrleansLogProvider, Namespaces.Replay, key);
        var batch = new List<TestEvent>(100);
        for (int i = 0; i < events; i += 100)
        {
            batch.Clear();
            for (int j = 0; j < 100; j++)
            {
                batch.Add(new TestEvent(i + j));
            }

            await stream.OnNextBatchAsync(batch);
        }

        var subscriber = cluster.Client.GetGrain<IBenchSubscriberGrain>(key);
        var clock = Stopwatch.StartNew();
        await subscriber.SubscribeAsync(OrleansLogProvider, Namespaces.Replay, 0);
        long count = 0;
        while (count < events)
        {
            await Task.Delay(5);
            count = await subscriber.CountAsync();
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"replay: {count} of {events} events after 5 minutes");
            }
        }

        JsonLine.Write(new Dictionary<string, object>
        {
            ["bench"] = "streams",
            ["provider"] = OrleansLogProvider,
            ["workload"] = "replay",
            ["events_per_s"] = Math.Round(events / clock.Elapsed.TotalSeconds),
            ["events"] = events,
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 3),
        });
    }

    private static long s_refusedFull;

    /// <summary>
    /// Orleans' memory provider refuses an event when a queue grain holds 16,384 undelivered ones (its agent
    /// reads every 100 ms); the benchmark then waits a millisecond and sends it again, as a producer must, and
    /// counts the refusals (<c>refused_full</c>). OrleansLog never refuses for that reason.
    /// </summary>
    private static async Task WhenAcceptedAsync(Func<Task> send)
    {
        while (true)
        {
            try
            {
                await send();
                return;
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("Can not enqueue", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref s_refusedFull);
                await Task.Delay(1);
            }
        }
    }

    private static async Task WaitDeliveredAsync(InProcessTestCluster cluster, string run, long perStream, int streams)
    {
        var clock = Stopwatch.StartNew();
        for (int s = 0; s < streams; s++)
        {
            var subscriber = cluster.Client.GetGrain<IBenchSubscriberGrain>($"{run}-{s}");
            long count;
            while ((count = await subscriber.CountAsync()) < perStream)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(3))
                {
                    throw new TimeoutException($"stream {run}-{s}: {count} of {perStream} events delivered after 3 minutes");
                }

                await Task.Delay(2);
            }
        }
    }

    private static void Write(bool report, string provider, string workload, long events, TimeSpan produced, TimeSpan delivered)
    {
        if (!report)
        {
            return;
        }

        JsonLine.Write(new Dictionary<string, object>
        {
            ["bench"] = "streams",
            ["provider"] = provider,
            ["workload"] = workload,
            ["events_per_s"] = Math.Round(events / produced.TotalSeconds),
            ["delivered_per_s"] = Math.Round(events / delivered.TotalSeconds),
            ["events"] = events,
            ["concurrency"] = Concurrency,
            ["refused_full"] = Interlocked.Exchange(ref s_refusedFull, 0),
        });
    }

    private static long Percentile(List<long> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static IAsyncStream<TestEvent> Stream(InProcessTestCluster cluster, string provider, string ns, string key) =>
        cluster.Client.GetStreamProvider(provider).GetStream<TestEvent>(StreamId.Create(ns, key));

    private static string Run() => Guid.NewGuid().ToString("N")[..8];
}
