using System.CommandLine;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Cli.Producing;
using OrleansLog.Client;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog consume TOPIC [--from-beginning] [--partition P [--offset O] | --group G] [--max-messages N]
/// [--timeout-ms T] [--format text|json]</c>: prints records until N were printed, T ms pass without
/// one, or Ctrl+C. Partitions are assigned manually (all of them, or the one given), or by the consumer
/// group G, which this consumer joins: it starts at the group's committed offsets and commits what it
/// printed on exit.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create(CommandContext context)
    {
        var topic = new Argument<string>("topic") { Description = "The topic to read." };
        var fromBeginning = new Option<bool>("--from-beginning") { Description = "Start at the oldest retained record instead of the end of the log." };
        var partition = new Option<int?>("--partition") { Description = "Read only this partition." };
        var offset = new Option<long?>("--offset") { Description = "Start at this offset (needs --partition)." };
        var maxMessages = new Option<long?>("--max-messages") { Description = "Stop after this many records." };
        var timeoutMs = new Option<int?>("--timeout-ms") { Description = "Stop when no record arrives for this long. Default: run until Ctrl+C." };
        var group = new Option<string?>("--group")
        {
            Description = "Join this consumer group: share the partitions with its other members, start at its committed offsets (else as --from-beginning says), commit on exit.",
        };
        Option<string> format = OutputFormat.Option("text: each value on its own line; json: {\"topic\",\"partition\",\"offset\",\"timestamp\",\"key\",\"value\"} per line.");
        var command = new Command("consume", "Print a topic's records.")
        {
            topic, fromBeginning, partition, offset, maxMessages, timeoutMs, format, group,
        };
        context.SetAction(
            command,
            async (parseResult, cancellationToken) =>
            {
                string topicName = TopicsCommand.RequireValidName(parseResult.GetValue(topic));
                int? partitionValue = parseResult.GetValue(partition);
                string? groupId = GroupId(parseResult.GetValue(group), partitionValue, parseResult.GetValue(offset));
                long startOffset = StartOffset(parseResult.GetValue(fromBeginning), partitionValue, parseResult.GetValue(offset));
                long? max = parseResult.GetValue(maxMessages);
                if (max is < 1)
                {
                    throw CliException.Usage($"--max-messages must be at least 1, was {max}");
                }

                int? timeout = parseResult.GetValue(timeoutMs);
                if (timeout is < 0)
                {
                    throw CliException.Usage($"--timeout-ms must be 0 or more, was {timeout}");
                }

                bool json = OutputFormat.IsJson(parseResult.GetValue(format));
                await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
                TopicMetadata metadata = await TopicCheck.RequirePartitionAsync(connection.Admin, topicName, partitionValue, cancellationToken);
                await using IConsumer consumer = connection.Consumers.CreateConsumer(o =>
                {
                    o.AutoOffsetReset = startOffset == OffsetSpec.Earliest ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest;
                    o.GroupId = groupId;
                });
                if (groupId is null)
                {
                    consumer.Assign(Assignment(topicName, partitionValue, metadata.PartitionCount, startOffset));
                }
                else
                {
                    // Disposing the consumer commits the positions of everything printed and leaves the group.
                    consumer.Subscribe([topicName]);
                }
                await PrintAsync(
                    consumer,
                    context.Out,
                    json,
                    max ?? long.MaxValue,
                    timeout is { } ms ? TimeSpan.FromMilliseconds(ms) : Timeout.InfiniteTimeSpan,
                    cancellationToken);
            },
            interruptIsSuccess: true);
        return command;
    }

    /// <summary>The --group to join, or null; the group assigns partitions and positions, so --partition and --offset do not go with it.</summary>
    public static string? GroupId(string? group, int? partition, long? offset)
    {
        if (group is null)
        {
            return null;
        }

        if (partition is not null || offset is not null)
        {
            throw CliException.Usage("--group cannot be combined with --partition or --offset: the group assigns the partitions and starts at its committed offsets");
        }

        return GroupsCommand.RequireValidGroupId(group);
    }

    /// <summary>--offset, else the log start with --from-beginning, else the log end (Kafka's console consumer).</summary>
    public static long StartOffset(bool fromBeginning, int? partition, long? offset)
    {
        if (offset is { } o)
        {
            if (partition is null)
            {
                throw CliException.Usage("--offset needs --partition: an offset means something only within one partition");
            }

            if (fromBeginning)
            {
                throw CliException.Usage("give either --offset or --from-beginning, not both");
            }

            if (o < 0)
            {
                throw CliException.Usage($"--offset must be 0 or more, was {o}");
            }

            return o;
        }

        return fromBeginning ? OffsetSpec.Earliest : OffsetSpec.Latest;
    }

    private static List<TopicPartitionOffset> Assignment(string topic, int? partition, int partitionCount, long startOffset)
    {
        var assignment = new List<TopicPartitionOffset>();
        if (partition is { } only)
        {
            assignment.Add(new TopicPartitionOffset(topic, only, startOffset));
            return assignment;
        }

        for (int p = 0; p < partitionCount; p++)
        {
            assignment.Add(new TopicPartitionOffset(topic, p, startOffset));
        }

        return assignment;
    }

    /// <summary>
    /// Output is flushed whenever no record is ready at once, so a person watching sees records as they
    /// arrive, while a fast backlog is written in large chunks.
    /// </summary>
    private static async Task PrintAsync(IConsumer consumer, TextWriter output, bool json, long maxMessages, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        for (long printed = 0; printed < maxMessages; printed++)
        {
            ConsumeResult? record = await consumer.ConsumeAsync(TimeSpan.Zero, cancellationToken);
            if (record is null)
            {
                await output.FlushAsync(cancellationToken);
                record = await consumer.ConsumeAsync(idleTimeout, cancellationToken);
                if (record is null)
                {
                    return;
                }
            }

            await output.WriteLineAsync(json ? CliJson.Serialize(ConsumedRecordJson.From(record)) : record.ValueAsString() ?? "null");
        }
    }
}
