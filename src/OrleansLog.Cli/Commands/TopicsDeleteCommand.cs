using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog topics delete NAME</c>: deletes the topic and all its data.</summary>
internal static class TopicsDeleteCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> name = TopicsCommand.NameArgument();
        var command = new Command("delete", "Delete a topic and all its data.") { name };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topic = TopicsCommand.RequireValidName(parseResult.GetValue(name));
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await connection.Admin.DeleteTopicAsync(topic, cancellationToken);
            await context.Out.WriteLineAsync($"Deleted topic {topic}.");
        });
        return command;
    }
}
