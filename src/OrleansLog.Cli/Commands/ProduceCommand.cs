using System.CommandLine;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Producing;
using OrleansLog.Client;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog produce TOPIC [--key-separator SEP] [--acks none|leader|all] [--partition P]
/// [--compression none|gzip|snappy|lz4|zstd] [--print-metadata]</c>: one record per standard-input line.
/// </summary>
internal static class ProduceCommand
{
    public static Command Create(CommandContext context)
    {
        var topic = new Argument<string>("topic") { Description = "The topic to write to." };
        var keySeparator = new Option<string?>("--key-separator")
        {
            Description = "Split each line at the first SEP: the text before it is the key, the rest the value ('\\t' means a tab). Without it records have no key.",
            HelpName = "SEP",
        };
        Option<string> acks = AcksOption();
        var partition = new Option<int?>("--partition") { Description = "Write every record to this partition instead of letting the partitioner choose." };
        var compression = new Option<string>("--compression") { Description = "Batch compression codec.", DefaultValueFactory = _ => "none" };
        compression.AcceptOnlyFromAmong(ChoiceArguments.CompressionChoices);
        var printMetadata = new Option<bool>("--print-metadata")
        {
            Description = "Print {\"partition\":P,\"offset\":O} for each acknowledged record, or {\"line\":N,\"error\":E,\"message\":M} for a failed one, one JSON line each, in input order, as soon as it is known.",
        };
        var command = new Command("produce", "Write standard input to a topic, one record per line.")
        {
            topic, keySeparator, acks, partition, compression, printMetadata,
        };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topicName = TopicsCommand.RequireValidName(parseResult.GetValue(topic));
            string? separator = parseResult.GetValue(keySeparator);
            if (separator is { Length: 0 })
            {
                throw CliException.Usage("--key-separator must not be empty");
            }

            Acks acksValue = ChoiceArguments.ParseAcks(parseResult.GetValue(acks));
            var codec = ChoiceArguments.ParseCompression(parseResult.GetValue(compression));
            int? partitionValue = parseResult.GetValue(partition);

            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await TopicCheck.RequirePartitionAsync(connection.Admin, topicName, partitionValue, cancellationToken);
            await using IProducer producer = connection.Producers.CreateProducer(ProducerSettings.Configure(acksValue, codec));
            var lines = new LineProducer(
                producer,
                topicName,
                partitionValue,
                separator is null ? null : new KeySeparator(separator),
                parseResult.GetValue(printMetadata) ? context.Out : null,
                context.Console.Error);
            await lines.RunAsync(new LineReader(context.Console.Input), cancellationToken);
        });
        return command;
    }

    public static Option<string> AcksOption()
    {
        var acks = new Option<string>("--acks")
        {
            Description = "none: do not wait; leader: the leader's append; all: every in-sync replica (idempotent).",
            DefaultValueFactory = _ => "all",
        };
        acks.AcceptOnlyFromAmong(ChoiceArguments.AcksChoices);
        return acks;
    }
}
