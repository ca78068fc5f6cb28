using System.CommandLine;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog topics add-partitions NAME --partitions N</c>: raises the partition count to N.</summary>
internal static class TopicsAddPartitionsCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> name = TopicsCommand.NameArgument();
        var partitions = new Option<int>("--partitions") { Description = "The new total number of partitions (it can only grow).", Required = true };
        var command = new Command("add-partitions", "Raise a topic's partition count.") { name, partitions };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topic = TopicsCommand.RequireValidName(parseResult.GetValue(name));
            int total = parseResult.GetValue(partitions);
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await connection.Admin.AddPartitionsAsync(topic, total, cancellationToken);
            await context.Out.WriteLineAsync($"Topic {topic} now has {total} partitions.");
        });
        return command;
    }
}
