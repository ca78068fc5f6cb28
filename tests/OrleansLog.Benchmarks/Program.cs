using OrleansLog.Benchmarks;
using OrleansLog.Benchmarks.Groups;
using OrleansLog.Benchmarks.KafkaClients;
using OrleansLog.Benchmarks.Scale;
using OrleansLog.Benchmarks.Storage;
using OrleansLog.Benchmarks.Streams;

// Benchmarks print one JSON object per line on stdout, each with "bench" and its figures.
// Usage: dotnet run -c Release --project tests/OrleansLog.Benchmarks -- storage|groups [--dir DIR] [--gib N]
//        dotnet run -c Release --project tests/OrleansLog.Benchmarks -- streams [--quick] [--provider memory|orleanslog] [--workload W]
//        dotnet run -c Release --project tests/OrleansLog.Benchmarks -- kafka [--quick]
//        dotnet run -c Release --project tests/OrleansLog.Benchmarks -- scale [--quick] [--only first-write,partitions-idle,partitions-rf3,take-office]
string suite = args.Length > 0 ? args[0] : "storage";
if (suite == "streams")
{
    string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    await StreamBenchmarks.RunAllAsync(quick: args.Contains("--quick"), provider: Option("--provider"), workload: Option("--workload"));
    return 0;
}

if (suite == "kafka")
{
    await KafkaPathBenchmark.RunAsync(quick: args.Contains("--quick"));
    return 0;
}

if (suite == "scale")
{
    await ScaleBenchmarks.RunAllAsync(args.Skip(1).ToArray());
    return 0;
}

var settings = BenchSettings.Parse(args.Skip(1).ToArray());
switch (suite)
{
    case "storage":
        await StorageBenchmarks.RunAllAsync(settings);
        return 0;
    case "groups":
        await GroupBenchmarks.RunAllAsync(settings);
        return 0;
    default:
        await Console.Error.WriteLineAsync($"unknown benchmark suite '{suite}' (known: storage, groups, streams, scale, kafka)");
        return 2;
}
