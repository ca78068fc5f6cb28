using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog topics list</c>: one topic name per line, sorted.</summary>
internal static class TopicsListCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("list", "List all topics, one per line.");
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            IReadOnlyList<string> topics = await connection.Admin.ListTopicsAsync(cancellationToken);
            foreach (string topic in topics.Order(StringComparer.Ordinal))
            {
                await context.Out.WriteLineAsync(topic);
            }
        });
        return command;
    }
}
