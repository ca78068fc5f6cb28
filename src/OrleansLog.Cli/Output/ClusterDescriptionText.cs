using System.Globalization;

namespace OrleansLog.Cli.Output;

/// <summary>
/// The text form of <c>cluster describe</c>: a cluster line, a table with a row per node (an ERROR
/// column only when a node reported one), then the partitions each node leads and holds.
/// </summary>
internal static class ClusterDescriptionText
{
    public static void Write(ClusterDescription cluster, TextWriter writer)
    {
        writer.WriteLine($"Cluster: {cluster.ClusterId}  Nodes: {cluster.Nodes.Count}");
        bool anyError = cluster.Nodes.Any(n => n.Error is not null);
        TextTable table = anyError
            ? new TextTable("NODE", "SILO", "STATUS", "UPTIME", "LEADS", "HOLDS", "DISK-BYTES", "ERROR")
            : new TextTable("NODE", "SILO", "STATUS", "UPTIME", "LEADS", "HOLDS", "DISK-BYTES");
        foreach (NodeDescription node in cluster.Nodes)
        {
            long uptimeMs = UptimeMs(cluster, node);
            string[] cells =
            [
                node.NodeId,
                node.SiloAddress,
                node.Status,
                uptimeMs < 0 ? "-" : Uptime(uptimeMs),
                Number(node.Leads.Count),
                Number(node.Holds.Count),
                node.DiskUsedBytes < 0 ? "-" : Number(node.DiskUsedBytes),
            ];
            table.AddRow(anyError ? [.. cells, node.Error ?? "-"] : cells);
        }

        table.WriteTo(writer);
        foreach (NodeDescription node in cluster.Nodes)
        {
            if (node.Leads.Count > 0 || node.Holds.Count > 0)
            {
                writer.WriteLine($"{node.NodeId} leads: {List(node.Leads)}");
                writer.WriteLine($"{node.NodeId} holds: {List(node.Holds)}");
            }

            foreach (string failed in node.FailedLogs ?? [])
            {
                writer.WriteLine($"{node.NodeId} failed log (offline until reopened): {failed}");
            }
        }
    }

    /// <summary>How long an active node has been up when the description was taken; -1 when it is not active.</summary>
    public static long UptimeMs(ClusterDescription cluster, NodeDescription node) =>
        node.Status == "Active" && node.StartedAtMs > 0 ? Math.Max(0, cluster.ObservedAtMs - node.StartedAtMs) : -1;

    private static string Uptime(long ms)
    {
        var span = TimeSpan.FromMilliseconds(ms);
        return span.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d{span:hh\\:mm\\:ss}")
            : span.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }

    private static string List(IReadOnlyList<TopicPartition> partitions) =>
        partitions.Count == 0 ? "-" : string.Join(' ', partitions.Select(p => p.ToString()));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
