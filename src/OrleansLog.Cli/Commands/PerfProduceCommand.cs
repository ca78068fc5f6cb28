using System.CommandLine;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Cli.Perf;
using OrleansLog.Cli.Producing;
using OrleansLog.Records;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog perf produce --topic T --records N --record-size B [--acks A] [--producers K] [--partitions P]</c>.
/// </summary>
internal static class PerfProduceCommand
{
    public static Command Create(CommandContext context)
    {
        Option<string> topic = PerfCommand.TopicOption();
        var records = new Option<long>("--records") { Description = "Records to produce.", Required = true };
        Option<int> recordSize = PerfCommand.RecordSizeOption();
        Option<string> acks = ProduceCommand.AcksOption();
        var producers = new Option<int>("--producers") { Description = "Producer instances sending in parallel.", DefaultValueFactory = _ => 1 };
        Option<int> partitions = PerfCommand.PartitionsOption();
        var command = new Command("produce", "Produce records as fast as the client allows and report throughput.")
        {
            topic, records, recordSize, acks, producers, partitions,
        };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topicName = TopicsCommand.RequireValidName(parseResult.GetValue(topic));
            long count = parseResult.GetValue(records);
            int size = parseResult.GetValue(recordSize);
            int producerCount = parseResult.GetValue(producers);
            int partitionCount = parseResult.GetValue(partitions);
            PerfCommand.RequireAtLeast("--records", count, 1);
            PerfCommand.RequireAtLeast("--record-size", size, 0);
            PerfCommand.RequireAtLeast("--producers", producerCount, 1);
            PerfCommand.RequireAtLeast("--partitions", partitionCount, 1);
            Acks acksValue = ChoiceArguments.ParseAcks(parseResult.GetValue(acks));

            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await PerfTopic.EnsureAsync(connection.Admin, topicName, partitionCount, cancellationToken);
            var run = new ProducePerfRun(
                connection.Producers, ProducerSettings.Configure(acksValue, CompressionType.None), topicName, count, size, producerCount);
            PerfResultJson result = await PerfProgress.RunAsync(
                context.Console, $"produce {topicName}", count, () => run.Acknowledged, () => run.RunAsync(cancellationToken));
            await context.Out.WriteLineAsync(CliJson.Serialize(result));
        });
        return command;
    }
}
