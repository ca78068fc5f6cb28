using System.CommandLine;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog cluster</c>: describe.</summary>
internal static class ClusterCommand
{
    public static Command Create(CommandContext context)
    {
        var cluster = new Command("cluster", "Inspect the cluster's nodes.");
        cluster.Subcommands.Add(ClusterDescribeCommand.Create(context));
        return cluster;
    }
}
