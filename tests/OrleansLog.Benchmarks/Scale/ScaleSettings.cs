using System.Globalization;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>
/// Options of <c>./build.sh bench scale</c>: which parts run and how large. The defaults are the sizes the
/// partition-core goals name; <c>--quick</c> shrinks everything for a smoke run.
/// </summary>
internal sealed record ScaleSettings(
    IReadOnlySet<string> Parts,
    int FirstWritePartitions,
    int IdlePartitions,
    int ReplicatedPartitions,
    int BaselinePartitions,
    long ReplicatedRecords,
    double TakeOfficeGigabytes)
{
    public static readonly string[] AllParts = ["first-write", "partitions-idle", "partitions-rf3", "take-office"];

    public static ScaleSettings Parse(string[] args)
    {
        string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        bool quick = args.Contains("--quick");
        string? only = Option("--only");
        return new ScaleSettings(
            only is null ? AllParts.ToHashSet() : only.Split(',').ToHashSet(),
            int.Parse(Option("--first-write-partitions") ?? (quick ? "200" : "2000"), CultureInfo.InvariantCulture),
            int.Parse(Option("--idle-partitions") ?? (quick ? "500" : "10000"), CultureInfo.InvariantCulture),
            int.Parse(Option("--rf3-partitions") ?? (quick ? "100" : "1000"), CultureInfo.InvariantCulture),
            12,
            long.Parse(Option("--rf3-records") ?? (quick ? "50000" : "1000000"), CultureInfo.InvariantCulture),
            double.Parse(Option("--take-office-gb") ?? (quick ? "0.05" : "5"), CultureInfo.InvariantCulture));
    }
}
