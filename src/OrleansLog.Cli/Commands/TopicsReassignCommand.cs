using System.CommandLine;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog topics reassign NAME --partition P --replicas n1,n2,n3</c>: starts moving one partition's
/// replicas (preferred leader first) and returns; <c>topics describe</c> shows the move until it is done.
/// </summary>
internal static class TopicsReassignCommand
{
    public static Command Create(CommandContext context)
    {
        Argument<string> name = TopicsCommand.NameArgument();
        var partition = new Option<int>("--partition") { Description = "The partition to move.", Required = true };
        var replicas = new Option<string>("--replicas")
        {
            Description = "The new replicas as comma-separated node ids, preferred leader first.",
            HelpName = "n1,n2,n3",
            Required = true,
        };
        var command = new Command("reassign", "Move a partition's replicas to other nodes while it keeps serving.") { name, partition, replicas };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            string topic = TopicsCommand.RequireValidName(parseResult.GetValue(name));
            int p = parseResult.GetValue(partition);
            if (p < 0)
            {
                throw CliException.Usage($"--partition must be 0 or more, was {p}");
            }

            string[] target = ReplicaListArguments.Parse(parseResult.GetValue(replicas));
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            await connection.Admin.ReassignPartitionAsync(topic, p, target, cancellationToken);
            await context.Out.WriteLineAsync(Started(topic, p, target));
        });
        return command;
    }

    /// <summary>What the command prints once the broker has accepted the move.</summary>
    public static string Started(string topic, int partition, IReadOnlyList<string> replicas) =>
        $"Reassignment of {topic}-{partition} to {ReplicaText.List(replicas)} started; 'olog topics describe {topic}' shows its progress.";
}
