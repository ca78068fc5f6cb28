using System.Diagnostics;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>
/// Many idle partitions on one silo: one record each, a clean restart, then start-up until every partition
/// serves a fetch, resident memory, open descriptors and CPU while idle. Prints
/// <c>{"bench":"partitions-idle","partitions":…,"rss_mb":…,"fds":…,"startup_s":…,"idle_cpu_pct":…}</c>.
/// </summary>
internal static class IdlePartitionsBenchmark
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(20);

    public static async Task RunAsync(int partitions, CancellationToken ct)
    {
        string data = ScaleBenchmarks.NewDataDirectory("idle");
        try
        {
            await using (var silo = new SiloProcess(data))
            {
                await silo.StartAsync(TimeSpan.FromSeconds(90), ct);
                await using ExternalClient client = await ExternalClient.ConnectAsync(ct, silo.GatewayPort);
                await new OrleansLogAdmin(client.Client).CreateTopicAsync("idle", partitions, cancellationToken: ct);
                (_, int failures) = await ScaleBenchmarks.WriteOneToEachAsync(client.Client, "idle", partitions, ct);
                if (failures > 0)
                {
                    await Console.Error.WriteLineAsync($"partitions-idle: {failures} of {partitions} first writes failed");
                }

                await silo.StopAsync(TimeSpan.FromMinutes(2));
            }

            var startup = Stopwatch.StartNew();
            await using var restarted = new SiloProcess(data);
            await restarted.StartAsync(TimeSpan.FromSeconds(300), ct);
            await using ExternalClient again = await ExternalClient.ConnectAsync(ct, restarted.GatewayPort);
            int unserved = partitions;
            while (unserved > 0 && startup.Elapsed < TimeSpan.FromMinutes(5))
            {
                if (!restarted.IsRunning)
                {
                    string output = restarted.Output;
                    throw new InvalidOperationException($"partitions-idle: the silo exited during start-up; its last output:\n{output[Math.Max(0, output.Length - 4000)..]}");
                }

                (_, unserved) = await ScaleBenchmarks.FetchFirstFromEachAsync(again.Client, "idle", partitions, 256, ct);
            }

            double startupSeconds = startup.Elapsed.TotalSeconds;
            await Task.Delay(Settle, ct);
            int pid = restarted.ProcessId;
            double idleCpu = await ProcessStats.CpuPercentAsync(pid, IdleWindow, ct);
            JsonLine.Write(new Dictionary<string, object>
            {
                ["bench"] = "partitions-idle",
                ["partitions"] = partitions,
                ["rss_mb"] = ProcessStats.ResidentMegabytes(pid),
                ["fds"] = ProcessStats.OpenDescriptors(pid),
                ["startup_s"] = Math.Round(startupSeconds, 2),
                ["unserved"] = unserved,
                ["idle_cpu_pct"] = idleCpu,
            });
        }
        finally
        {
            ScaleBenchmarks.DeleteQuietly(data);
        }
    }
}
