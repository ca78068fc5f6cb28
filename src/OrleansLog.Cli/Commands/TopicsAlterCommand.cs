using System.CommandLine;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog topics alter NAME --config k=v...</c>: changes settings, all or nothing.</summary>
internal static class TopicsAlterCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> name = TopicsCommand.NameArgument();
        Option<string[]> config = TopicsCommand.ConfigOption("A setting to change, Kafka spelling (retention.ms=86400000); repeat for more.");
        config.Required = true;
        var command = new Command("alter", "Change a topic's configuration; either every change applies or none.") { name, config };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topic = TopicsCommand.RequireValidName(parseResult.GetValue(name));
            Dictionary<string, string> overrides = TopicConfigArguments.Parse(parseResult.GetValue(config));
            if (overrides.Count == 0)
            {
                throw CliException.Usage("topics alter needs at least one --config key=value");
            }

            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await connection.Admin.AlterTopicConfigAsync(topic, overrides, cancellationToken);
            await context.Out.WriteLineAsync($"Altered {overrides.Count} setting(s) of topic {topic}.");
        });
        return command;
    }
}
