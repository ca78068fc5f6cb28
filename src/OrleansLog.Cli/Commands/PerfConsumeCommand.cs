using System.CommandLine;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Cli.Perf;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog perf consume --topic T [--records N]</c>.</summary>
internal static class PerfConsumeCommand
{
    public static Command Create(CommandContext context)
    {
        Option<string> topic = PerfCommand.TopicOption();
        var records = new Option<long?>("--records") { Description = "Stop after this many records. Default: everything up to the log end as it is at the start." };
        var command = new Command("consume", "Read every partition from the beginning and report throughput.") { topic, records };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topicName = TopicsCommand.RequireValidName(parseResult.GetValue(topic));
            long? count = parseResult.GetValue(records);
            if (count is { } wanted)
            {
                PerfCommand.RequireAtLeast("--records", wanted, 1);
            }

            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            var run = new ConsumePerfRun(connection.Admin, connection.Consumers, topicName, count);
            await run.PrepareAsync(cancellationToken);
            PerfResultJson result = await PerfProgress.RunAsync(
                context.Console, $"consume {topicName}", run.Target, () => run.Consumed, () => run.RunAsync(cancellationToken));
            await context.Out.WriteLineAsync(CliJson.Serialize(result));
        });
        return command;
    }
}
