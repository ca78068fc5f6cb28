using System.CommandLine;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog perf</c>: produce, consume and end-to-end latency benchmarks.</summary>
internal static class PerfCommand
{
    public static Command Create(CommandContext context)
    {
        var perf = new Command("perf", "Benchmarks. Each prints one JSON result line on standard output and a progress bar on a terminal's standard error.");
        perf.Subcommands.Add(PerfProduceCommand.Create(context));
        perf.Subcommands.Add(PerfConsumeCommand.Create(context));
        perf.Subcommands.Add(PerfEndToEndCommand.Create(context));
        return perf;
    }

    public static Option<string> TopicOption() => new("--topic") { Description = "The benchmark topic.", Required = true };

    public static Option<int> RecordSizeOption() => new("--record-size") { Description = "Value size in bytes.", DefaultValueFactory = _ => 100 };

    public static Option<int> PartitionsOption() => new("--partitions")
    {
        Description = "Partitions to create the topic with when it does not exist.",
        DefaultValueFactory = _ => 1,
    };

    public static void RequireAtLeast(string option, long value, long minimum)
    {
        if (value < minimum)
        {
            throw CliException.Usage($"{option} must be at least {minimum}, was {value}");
        }
    }
}
