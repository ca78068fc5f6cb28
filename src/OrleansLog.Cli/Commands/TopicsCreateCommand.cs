using System.CommandLine;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog topics create NAME [--partitions N] [--replication-factor R] [--config k=v]...</c></summary>
internal static class TopicsCreateCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> name = TopicsCommand.NameArgument();
        var partitions = new Option<int>("--partitions") { Description = "Number of partitions.", DefaultValueFactory = _ => 1 };
        var replicationFactor = new Option<short?>("--replication-factor") { Description = "Copies of each partition (replication.factor). Default: the broker's." };
        Option<string[]> config = TopicsCommand.ConfigOption("A topic setting, Kafka spelling (retention.ms=86400000); repeat for more.");
        var command = new Command("create", "Create a topic.") { name, partitions, replicationFactor, config };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topic = TopicsCommand.RequireValidName(parseResult.GetValue(name));
            Dictionary<string, string> overrides = TopicConfigArguments.Parse(parseResult.GetValue(config));
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await connection.Admin.CreateTopicAsync(
                topic, parseResult.GetValue(partitions), parseResult.GetValue(replicationFactor), overrides, cancellationToken);
            await context.Out.WriteLineAsync($"Created topic {topic}.");
        });
        return command;
    }
}
