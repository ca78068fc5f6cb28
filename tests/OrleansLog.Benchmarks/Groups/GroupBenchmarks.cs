using System.Diagnostics;
using Orleans.TestingHost;
using OrleansLog.Grains;
using OrleansLog.Grains.Hosting;
using OrleansLog.Groups;

namespace OrleansLog.Benchmarks.Groups;

/// <summary>
/// The group coordinator on an in-process silo with the embedded file grain storage: offset commits per
/// second across 100 groups (each commit one grain call and one durable state write, which concurrent
/// commits of a group share), and how long a clean leave takes until every partition is owned again.
/// </summary>
internal static class GroupBenchmarks
{
    private const int Groups = 100;
    private static readonly TimeSpan Warmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(5);

    public static async Task RunAllAsync(BenchSettings settings)
    {
        Directory.CreateDirectory(settings.Directory);
        try
        {
            // The embedded mode as shipped: grain state in files (write temp, fsync, rename, fsync directory).
            await using (InProcessTestCluster cluster = await StartAsync(settings.Directory, fileStorage: true))
            {
                foreach (int inFlight in (int[])[1, 8, 32])
                {
                    JsonLine.Write(await CommitAsync(cluster.Client, inFlight, "file"));
                }

                foreach (string assignor in (string[])["range", "cooperative-sticky"])
                {
                    JsonLine.Write(await RebalanceAsync(cluster.Client, members: 10, partitions: 100, assignor));
                }

                await cluster.StopAllSilosAsync();
            }

            // The same with in-memory grain storage: what the coordinator and Orleans cost without the disk.
            await using (InProcessTestCluster cluster = await StartAsync(Path.Combine(settings.Directory, "memory"), fileStorage: false))
            {
                JsonLine.Write(await CommitAsync(cluster.Client, 1, "memory"));
                await cluster.StopAllSilosAsync();
            }
        }
        finally
        {
            Directory.Delete(settings.Directory, recursive: true);
        }
    }

    private static async Task<InProcessTestCluster> StartAsync(string dataDirectory, bool fileStorage)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddOrleansLog(o =>
            {
                o.DataDirectory = dataDirectory;
                o.UseFileGrainStorage = fileStorage;
                o.Groups.InitialRebalanceDelay = TimeSpan.FromMilliseconds(100);
                o.Groups.MinSessionTimeout = TimeSpan.FromMilliseconds(500);
            });
            if (!fileStorage)
            {
                silo.AddMemoryGrainStorage(OrleansLogOptions.StorageName);
            }
        });
        InProcessTestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Each of <see cref="Groups"/> groups gets <paramref name="inFlight"/> committers that commit one partition each in a closed loop.</summary>
    private static async Task<Dictionary<string, object>> CommitAsync(IClusterClient client, int inFlight, string storage)
    {
        string topic = "bench-commits-" + inFlight;
        await client.GetGrain<ITopicGrain>(topic).CreateAsync(inFlight, null);
        var latencies = new List<double>[Groups * inFlight];
        long measuring = 0;
        using var stop = new CancellationTokenSource();
        var workers = new Task[Groups * inFlight];
        for (int w = 0; w < workers.Length; w++)
        {
            IGroupCoordinatorGrain group = client.GetGrain<IGroupCoordinatorGrain>($"bench-commit-{inFlight}-{w / inFlight}");
            var partition = new TopicPartition(topic, w % inFlight);
            List<double> samples = latencies[w] = new List<double>(100_000 / workers.Length);
            workers[w] = Task.Run(async () =>
            {
                for (long offset = 0; !stop.IsCancellationRequested; offset++)
                {
                    long start = Stopwatch.GetTimestamp();
                    OffsetCommitResult result = await group.CommitOffsetsAsync(
                        new OffsetCommitRequest(string.Empty, null, -1, [new OffsetCommitEntry(partition, offset, null)]));
                    if (result.Error != ErrorCode.None || result.Partitions[0].Error != ErrorCode.None)
                    {
                        throw new InvalidOperationException($"commit failed: {result.Error} {result.Message}");
                    }

                    if (Interlocked.Read(ref measuring) == 1)
                    {
                        samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                }
            });
        }

        await Task.Delay(Warmup);
        Interlocked.Exchange(ref measuring, 1);
        var clock = Stopwatch.StartNew();
        await Task.Delay(Measure);
        Interlocked.Exchange(ref measuring, 0);
        TimeSpan elapsed = clock.Elapsed;
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        double[] all = [.. latencies.SelectMany(l => l).Order()];
        return new()
        {
            ["bench"] = "group-commit",
            ["storage"] = storage,
            ["groups"] = Groups,
            ["in_flight_per_group"] = inFlight,
            ["commits_per_s"] = Math.Round(all.Length / elapsed.TotalSeconds),
            ["p50_ms"] = Math.Round(all[all.Length / 2], 2),
            ["p99_ms"] = Math.Round(all[(int)(all.Length * 0.99)], 2),
        };
    }

    /// <summary>
    /// Members join and heartbeat every <see cref="BenchMember.HeartbeatInterval"/>; once the group is
    /// stable one member leaves, and the clock runs until the others have rejoined, synced one generation
    /// and own every partition again. Five rounds (the leaver comes back in between); the median is reported.
    /// </summary>
    private static async Task<Dictionary<string, object>> RebalanceAsync(IClusterClient client, int members, int partitions, string assignor)
    {
        string topic = "bench-rebalance-" + assignor;
        await client.GetGrain<ITopicGrain>(topic).CreateAsync(partitions, null);
        IGroupCoordinatorGrain group = client.GetGrain<IGroupCoordinatorGrain>("bench-rebalance-" + assignor);
        var running = new List<BenchMember>();
        for (int i = 0; i < members; i++)
        {
            running.Add(BenchMember.Start(group, "m" + i, topic, assignor));
        }

        var rounds = new List<double>();
        try
        {
            for (int round = 0; round < 5; round++)
            {
                await WaitCoveredAsync(running, partitions);
                BenchMember leaving = running[round % running.Count];
                long start = Stopwatch.GetTimestamp();
                await leaving.LeaveAsync();
                running.Remove(leaving);
                await WaitCoveredAsync(running, partitions);
                rounds.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                running.Add(BenchMember.Start(group, leaving.ClientId, topic, assignor));
            }
        }
        finally
        {
            foreach (BenchMember member in running)
            {
                await member.LeaveAsync();
            }
        }

        rounds.Sort();
        return new()
        {
            ["bench"] = "group-rebalance",
            ["assignor"] = assignor,
            ["members"] = members,
            ["partitions"] = partitions,
            ["heartbeat_interval_ms"] = BenchMember.HeartbeatInterval.TotalMilliseconds,
            ["clean_leave_ms"] = Math.Round(rounds[rounds.Count / 2], 1),
            ["clean_leave_max_ms"] = Math.Round(rounds[^1], 1),
        };
    }

    /// <summary>Waits until the members share one generation whose assignments cover every partition once.</summary>
    private static async Task WaitCoveredAsync(List<BenchMember> members, int partitions)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var views = members.Select(m => m.View).ToList();
            if (views.All(v => v.Generation == views[0].Generation && v.Generation > 0)
                && views.Sum(v => v.Assignment.Count) == partitions
                && views.SelectMany(v => v.Assignment).Distinct().Count() == partitions)
            {
                return;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"the group did not settle within 60 s: generations {string.Join(",", views.Select(v => v.Generation))}");
            }

            await Task.Delay(1);
        }
    }
}
