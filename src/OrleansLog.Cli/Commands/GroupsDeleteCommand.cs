using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog groups delete GROUP</c>: deletes an empty group and its committed offsets.</summary>
internal static class GroupsDeleteCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> group = GroupsCommand.GroupArgument();
        var command = new Command("delete", "Delete a consumer group that has no members, with its committed offsets.") { group };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string groupId = GroupsCommand.RequireValidGroupId(parseResult.GetValue(group));
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await connection.Admin.DeleteGroupAsync(groupId, cancellationToken);
            await context.Out.WriteLineAsync($"Deleted group {groupId}.");
        });
        return command;
    }
}
