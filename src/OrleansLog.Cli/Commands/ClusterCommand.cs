using System.CommandLine;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog cluster</c>: describe and rebalance.</summary>
internal static class ClusterCommand
{
    public static Command Create(CommandContext context)
    {
        var cluster = new Command("cluster", "Inspect the cluster's nodes and spread replicas over them.");
        cluster.Subcommands.Add(ClusterDescribeCommand.Create(context));
        cluster.Subcommands.Add(ClusterRebalanceCommand.Create(context));
        return cluster;
    }
}
