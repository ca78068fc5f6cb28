using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog groups list</c>: one group id per line, sorted.</summary>
internal static class GroupsListCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("list", "List all consumer groups, one per line.");
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            IReadOnlyList<string> groups = await connection.Admin.ListGroupsAsync(cancellationToken);
            foreach (string group in groups.Order(StringComparer.Ordinal))
            {
                await context.Out.WriteLineAsync(group);
            }
        });
        return command;
    }
}
