using System.CommandLine;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog groups</c>: list, describe, reset-offsets and delete consumer groups.</summary>
internal static class GroupsCommand
{
    public static Command Create(CommandContext context)
    {
        var groups = new Command("groups", "Manage consumer groups.");
        groups.Subcommands.Add(GroupsListCommand.Create(context));
        groups.Subcommands.Add(GroupsDescribeCommand.Create(context));
        groups.Subcommands.Add(GroupsResetOffsetsCommand.Create(context));
        groups.Subcommands.Add(GroupsDeleteCommand.Create(context));
        return groups;
    }

    public static Argument<string> GroupArgument() => new("group") { Description = "The consumer group id." };

    /// <summary>Kafka refuses an empty group id (InvalidGroupId); checked before connecting.</summary>
    public static string RequireValidGroupId(string? groupId)
    {
        if (string.IsNullOrWhiteSpace(groupId))
        {
            throw new CliException(ErrorCode.InvalidGroupId, "a group id must not be empty or blank");
        }

        return groupId;
    }
}
