using System.CommandLine;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog topics describe NAME [--format json|text]</c>: configuration, and per partition the leader,
/// leader epoch, replicas (with the target replicas while a reassignment runs), ISR, log start offset,
/// high watermark, log end offset and size.
/// </summary>
internal static class TopicsDescribeCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> name = TopicsCommand.NameArgument();
        Option<string> format = OutputFormat.Option();
        var command = new Command("describe", "Show a topic's configuration and its partitions' leaders, epochs, replicas, ISR, offsets and sizes.") { name, format };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topic = TopicsCommand.RequireValidName(parseResult.GetValue(name));
            bool json = OutputFormat.IsJson(parseResult.GetValue(format));
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            TopicDescription description = await connection.Admin.DescribeTopicAsync(topic, cancellationToken);
            if (json)
            {
                await context.Out.WriteLineAsync(CliJson.Serialize(TopicDescriptionJson.From(description)));
            }
            else
            {
                TopicDescriptionText.Write(description, context.Out);
            }
        });
        return command;
    }
}
