using System.CommandLine;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;
using OrleansLog.Grains;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog cluster describe [--format json|text]</c>: every node with its silo address, status and
/// uptime, the partitions it leads and holds, and the disk its logs use.
/// </summary>
internal static class ClusterDescribeCommand
{
    public static Command Create(CommandContext context)
    {
        Option<string> format = OutputFormat.Option();
        var command = new Command("describe", "Show the cluster's nodes: silo address, status, uptime, partitions led and held, disk used.") { format };
        context.SetAction(command, async (parseResult, cancellationToken) =>
        {
            bool json = OutputFormat.IsJson(parseResult.GetValue(format));
            await using ClusterConnection connection = await context.ConnectAsync(parseResult, cancellationToken);
            ClusterDescription cluster = await connection.Grains.GetGrain<IClusterGrain>(IClusterGrain.Key).DescribeAsync(cancellationToken);
            if (json)
            {
                await context.Out.WriteLineAsync(CliJson.Serialize(ClusterDescriptionJson.From(cluster)));
            }
            else
            {
                ClusterDescriptionText.Write(cluster, context.Out);
            }
        });
        return command;
    }
}
