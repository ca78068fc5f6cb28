using System.CommandLine;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Groups;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog groups describe GROUP [--format text|json]</c>: state, assignor, generation, members with their
/// partitions, and per partition the committed offset, high watermark, lag and owner.
/// </summary>
internal static class GroupsDescribeCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> group = GroupsCommand.GroupArgument();
        Option<string> format = OutputFormat.Option();
        var command = new Command("describe", "Show a group's members, their partitions, committed offsets and lag.") { group, format };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string groupId = GroupsCommand.RequireValidGroupId(parseResult.GetValue(group));
            bool json = OutputFormat.IsJson(parseResult.GetValue(format));
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            GroupDescription description = await connection.Admin.DescribeGroupAsync(groupId, cancellationToken);
            if (json)
            {
                await context.Out.WriteLineAsync(CliJson.Serialize(GroupDescriptionJson.From(description)));
            }
            else
            {
                GroupDescriptionText.Write(description, context.Out);
            }
        });
        return command;
    }
}
