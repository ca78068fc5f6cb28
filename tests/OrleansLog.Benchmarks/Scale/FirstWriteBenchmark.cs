using System.Globalization;
using System.Text.RegularExpressions;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>
/// A new user's first hour: a topic with many partitions on one embedded silo, one keyed record to each,
/// then a restart and a first fetch from each. Prints
/// <c>{"bench":"first-write","partitions":…,"seconds":…,"failures":…,"restart_fetch_seconds":…,"restart_fetch_failures":…}</c>.
/// </summary>
internal static partial class FirstWriteBenchmark
{
    [GeneratedRegex(@"took office .*? (?<ms>[0-9.]+) ms after activation")]
    private static partial Regex TookOffice();

    public static async Task RunAsync(int partitions, CancellationToken ct)
    {
        string data = ScaleBenchmarks.NewDataDirectory("first-write");
        try
        {
            double seconds;
            int failures;
            double[] tookOffice;
            await using (var silo = new SiloProcess(data))
            {
                await silo.StartAsync(TimeSpan.FromSeconds(90), ct);
                await using ExternalClient client = await ExternalClient.ConnectAsync(ct, silo.GatewayPort);
                await new OrleansLogAdmin(client.Client).CreateTopicAsync("first-write", partitions, cancellationToken: ct);
                (TimeSpan elapsed, failures) = await ScaleBenchmarks.WriteOneToEachAsync(client.Client, "first-write", partitions, ct);
                seconds = elapsed.TotalSeconds;
                tookOffice = [.. TookOffice().Matches(silo.Output).Select(m => double.Parse(m.Groups["ms"].Value, CultureInfo.InvariantCulture)).Order()];
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
                ["take_office_p50_ms"] = tookOffice.Length == 0 ? -1 : tookOffice[tookOffice.Length / 2],
                ["take_office_max_ms"] = tookOffice.Length == 0 ? -1 : tookOffice[^1],
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
