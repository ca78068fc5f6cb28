using System.CommandLine;
using System.Globalization;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Groups;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog groups reset-offsets GROUP --topic T (--to-earliest | --to-latest | --to-offset N | --to-datetime ISO)</c>:
/// moves the group's committed offsets of every partition of the topic (the group must have no members),
/// then prints the new offsets.
/// </summary>
internal static class GroupsResetOffsetsCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> group = GroupsCommand.GroupArgument();
        var topic = new Option<string>("--topic") { Description = "The topic whose committed offsets move.", Required = true };
        var toEarliest = new Option<bool>(OffsetResetArguments.ToEarliest) { Description = "To each partition's log start offset." };
        var toLatest = new Option<bool>(OffsetResetArguments.ToLatest) { Description = "To each partition's high watermark." };
        var toOffset = new Option<long?>(OffsetResetArguments.ToOffset) { Description = "To this offset, clamped into each partition's log." };
        var toDatetime = new Option<string?>(OffsetResetArguments.ToDatetime)
        {
            Description = "To the first record at or after this ISO 8601 time (UTC unless it names an offset), or the high watermark.",
        };
        var command = new Command("reset-offsets", "Move a group's committed offsets of a topic; the group must have no members.")
        {
            group, topic, toEarliest, toLatest, toOffset, toDatetime,
        };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string groupId = GroupsCommand.RequireValidGroupId(parseResult.GetValue(group));
            string topicName = TopicsCommand.RequireValidName(parseResult.GetValue(topic));
            OffsetResetSpec spec = OffsetResetArguments.Parse(
                parseResult.GetValue(toEarliest),
                parseResult.GetValue(toLatest),
                parseResult.GetValue(toOffset),
                parseResult.GetValue(toDatetime));
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await connection.Admin.ResetGroupOffsetsAsync(groupId, topicName, spec, cancellationToken);
            IReadOnlyList<CommittedOffset> offsets = await connection.Admin.ListGroupOffsetsAsync(groupId, cancellationToken);
            var table = new TextTable("TOPIC", "PARTITION", "NEW-OFFSET");
            foreach (CommittedOffset offset in GroupOrder.Sort(offsets.Where(o => o.Partition.Topic == topicName), static o => o.Partition))
            {
                table.AddRow(offset.Partition.Topic, Number(offset.Partition.Partition), Number(offset.Offset));
            }

            table.WriteTo(context.Out);
        });
        return command;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
