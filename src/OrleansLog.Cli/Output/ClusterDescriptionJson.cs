namespace OrleansLog.Cli.Output;

/// <summary><c>olog cluster describe --format json</c>: the cluster id and one object per node.</summary>
internal sealed record ClusterDescriptionJson(string ClusterId, IReadOnlyList<NodeDescriptionJson> Nodes)
{
    public static ClusterDescriptionJson From(ClusterDescription cluster)
    {
        var nodes = new NodeDescriptionJson[cluster.Nodes.Count];
        for (int i = 0; i < nodes.Length; i++)
        {
            NodeDescription node = cluster.Nodes[i];
            nodes[i] = new NodeDescriptionJson(
                node.NodeId,
                node.SiloAddress,
                node.Status,
                node.StartedAtMs,
                ClusterDescriptionText.UptimeMs(cluster, node),
                [.. node.Leads.Select(p => p.ToString())],
                [.. node.Holds.Select(p => p.ToString())],
                node.DiskUsedBytes,
                node.Error,
                node.FailedLogs ?? []);
        }

        return new ClusterDescriptionJson(cluster.ClusterId, nodes);
    }
}

/// <summary>One node in <c>cluster describe --format json</c>; partitions as <c>"{topic}-{partition}"</c>, uptime -1 when not active; failed logs as <c>"{topic}-{partition}: why"</c>.</summary>
internal sealed record NodeDescriptionJson(
    string NodeId,
    string SiloAddress,
    string Status,
    long StartedAtMs,
    long UptimeMs,
    IReadOnlyList<string> Leads,
    IReadOnlyList<string> Holds,
    long DiskUsedBytes,
    string? Error,
    IReadOnlyList<string> FailedLogs);
