using System.CommandLine;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog topics</c>: create, list, describe, delete, alter, add-partitions and reassign.</summary>
internal static class TopicsCommand
{
    public static Command Create(CommandContext context)
    {
        var topics = new Command("topics", "Manage topics.");
        topics.Subcommands.Add(TopicsCreateCommand.Create(context));
        topics.Subcommands.Add(TopicsListCommand.Create(context));
        topics.Subcommands.Add(TopicsDescribeCommand.Create(context));
        topics.Subcommands.Add(TopicsDeleteCommand.Create(context));
        topics.Subcommands.Add(TopicsAlterCommand.Create(context));
        topics.Subcommands.Add(TopicsAddPartitionsCommand.Create(context));
        topics.Subcommands.Add(TopicsReassignCommand.Create(context));
        return topics;
    }

    public static Argument<string> NameArgument() => new("name") { Description = "The topic name: 1-249 characters of [a-zA-Z0-9._-]." };

    public static Option<string[]> ConfigOption(string description) => new("--config")
    {
        Description = description,
        HelpName = "key=value",
    };

    /// <summary>Checks Kafka's name rules before connecting, so a bad name fails without a cluster.</summary>
    public static string RequireValidName(string? name)
    {
        if (TopicName.Validate(name) is { } problem)
        {
            throw new CliException(ErrorCode.InvalidTopic, problem);
        }

        return name!;
    }
}
