using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>
/// A new user's first hour: a topic with many partitions on one embedded silo, one keyed record to each,
/// then a restart and a first fetch from each. Prints
/// <c>{"bench":"first-write","partitions":…,"seconds":…,"failures":…,"restart_fetch_seconds":…,"restart_fetch_failures":…}</c>.
/// </summary>
internal static class FirstWriteBenchmark
{
    public static async Task RunAsync(int partitions, CancellationToken ct)
    {
        string data = ScaleBenchmarks.NewDataDirectory("first-write");
        try
        {
            double seconds;
            int failures;
            await using (var silo = new SiloProcess(data))
            {
                await silo.StartAsync(TimeSpan.FromSeconds(90), ct);
                await using ExternalClient client = await ExternalClient.ConnectAsync(ct, silo.GatewayPort);
                await new OrleansLogAdmin(client.Client).CreateTopicAsync("first-write", partitions, cancellationToken: ct);
                (TimeSpan elapsed, failures) = await ScaleBenchmarks.WriteOneToEachAsync(client.Client, "first-write", partitions, ct);
                seconds = elapsed.TotalSeconds;
                await silo.StopAsync(TimeSpan.FromSeconds(60));
            }

            await using var restarted = new SiloProcess(data);
            await restarted.StartAsync(TimeSpan.FromSeconds(120), ct);
            await using ExternalClient again = await ExternalClient.ConnectAsync(ct, restarted.GatewayPort);
            (TimeSpan fetched, int fetchFailures) = await ScaleBenchmarks.FetchFirstFromEachAsync(again.Client, "first-write", partitions, partitions, ct);
            JsonLine.Write(new Dictionary<string, object>
            {
                ["bench"] = "first-write",
                ["partitions"] = partitions,
                ["seconds"] = Math.Round(seconds, 2),
                ["failures"] = failures,
                ["restart_fetch_seconds"] = Math.Round(fetched.TotalSeconds, 2),
                ["restart_fetch_failures"] = fetchFailures,
            });
        }
        finally
        {
            ScaleBenchmarks.DeleteQuietly(data);
        }
    }
}
