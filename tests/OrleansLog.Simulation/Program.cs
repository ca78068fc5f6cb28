using System.Diagnostics;
using System.Text.Json;
using OrleansLog.Simulation.Replication;

// The replication simulation's long mode. Usage:
//   OrleansLog.Simulation [SEEDS] [--from FIRST] [--steps N] [--seed S] [--workers W]
// Runs seeds FIRST..FIRST+SEEDS-1 (or only S), prints each failing seed with its replay command and last
// steps on stderr, and ends with one JSON line {"bench":"sim","seeds":…,"steps":…,"failures":…} on stdout.
// Exit code 1 when any seed failed.
string? Option(string name) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
int seeds = args.Length > 0 && int.TryParse(args[0], out int n) ? n : 1000;
int first = int.Parse(Option("--from") ?? "1");
int steps = int.Parse(Option("--steps") ?? "300");
int workers = int.Parse(Option("--workers") ?? Environment.ProcessorCount.ToString());
if (args.Contains("--trace"))
{
    // The whole trace of one seed, step by step, on stdout.
    ReplicationSimulation.TraceTo = Console.Out;
}
if (Option("--seed") is { } single)
{
    first = int.Parse(single);
    seeds = 1;
}

var watch = Stopwatch.StartNew();
long totalSteps = 0;
int failures = 0;
int next = first - 1;
int last = first + seeds - 1;
object gate = new();
var threads = Enumerable.Range(0, Math.Max(1, workers)).Select(_ => new Thread(() =>
{
    while (true)
    {
        int seed = Interlocked.Increment(ref next);
        if (seed > last)
        {
            return;
        }

        SimulationResult result = ReplicationSimulation.Run(seed, steps);
        Interlocked.Add(ref totalSteps, result.Steps);
        if (!result.Passed || seeds == 1)
        {
            lock (gate)
            {
                Console.Error.WriteLine(result.Describe());
            }
        }

        if (!result.Passed)
        {
            Interlocked.Increment(ref failures);
        }
    }
}, 16 << 20)).ToList();
threads.ForEach(t => t.Start());
threads.ForEach(t => t.Join());
Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
{
    ["bench"] = "sim",
    ["seeds"] = seeds,
    ["first_seed"] = first,
    ["steps"] = totalSteps,
    ["failures"] = failures,
    ["seconds"] = Math.Round(watch.Elapsed.TotalSeconds, 1),
}));
return failures == 0 ? 0 : 1;
