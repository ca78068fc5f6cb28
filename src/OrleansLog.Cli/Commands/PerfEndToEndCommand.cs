using System.CommandLine;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Cli.Perf;
using OrleansLog.Cli.Producing;
using OrleansLog.Records;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog perf e2e --topic T --rate R --seconds S --record-size B [--acks A] [--partitions P] [--linger-ms L]</c>.</summary>
internal static class PerfEndToEndCommand
{
    public static Command Create(CommandContext context)
    {
        Option<string> topic = PerfCommand.TopicOption();
        var rate = new Option<int>("--rate") { Description = "Records per second to produce.", Required = true };
        var seconds = new Option<int>("--seconds") { Description = "How long to produce.", Required = true };
        Option<int> recordSize = PerfCommand.RecordSizeOption();
        Option<string> acks = ProduceCommand.AcksOption();
        Option<int> partitions = PerfCommand.PartitionsOption();
        var linger = new Option<int>("--linger-ms")
        {
            Description = "Producer linger.ms for the run. Default 0, as Kafka's end-to-end latency tool: latency, not batching, is measured.",
            DefaultValueFactory = _ => 0,
        };
        var command = new Command("e2e", "Produce at a fixed rate while consuming; report end-to-end latency percentiles.")
        {
            topic, rate, seconds, recordSize, acks, partitions, linger,
        };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topicName = TopicsCommand.RequireValidName(parseResult.GetValue(topic));
            int ratePerSecond = parseResult.GetValue(rate);
            int duration = parseResult.GetValue(seconds);
            int size = parseResult.GetValue(recordSize);
            int partitionCount = parseResult.GetValue(partitions);
            PerfCommand.RequireAtLeast("--rate", ratePerSecond, 1);
            PerfCommand.RequireAtLeast("--seconds", duration, 1);
            PerfCommand.RequireAtLeast("--record-size", size, EndToEndPerfRun.MinRecordSize);
            PerfCommand.RequireAtLeast("--partitions", partitionCount, 1);
            int lingerMs = parseResult.GetValue(linger);
            PerfCommand.RequireAtLeast("--linger-ms", lingerMs, 0);
            Acks acksValue = ChoiceArguments.ParseAcks(parseResult.GetValue(acks));

            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await PerfTopic.EnsureAsync(connection.Admin, topicName, partitionCount, cancellationToken);
            var run = new EndToEndPerfRun(
                connection.Admin,
                connection.Producers,
                connection.Consumers,
                ProducerSettings.Configure(acksValue, CompressionType.None, TimeSpan.FromMilliseconds(lingerMs)),
                topicName,
                ratePerSecond,
                duration,
                size);
            EndToEndResultJson result = await PerfProgress.RunAsync(
                context.Console, $"e2e {topicName}", run.Total, () => run.Received, () => run.RunAsync(cancellationToken));
            await context.Out.WriteLineAsync(CliJson.Serialize(result));
        });
        return command;
    }
}
