using System.CommandLine;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog cluster rebalance</c>: spreads every topic's replicas and preferred leaders over the live nodes
/// and prints the reassignments it started, one row per partition, or that nothing had to move. Moves
/// that did not start are listed too, and make the command fail after the table.
/// </summary>
internal static class ClusterRebalanceCommand
{
    public static Command Create(CommandContext context)
    {
        var command = new Command("rebalance", "Spread replicas and preferred leaders evenly over the live nodes; prints the partitions that move.");
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            IReadOnlyList<ReplicaMove> moves = await connection.Admin.RebalanceClusterAsync(cancellationToken);
            RebalanceText.Write(moves, context.Out);
            if (RebalanceText.Failure(moves) is { } failure)
            {
                throw failure;
            }
        });
        return command;
    }
}
