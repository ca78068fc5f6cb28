using Orleans.Placement;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Placement;

namespace OrleansLog.Grains.Cluster;

/// <summary>
/// A node's own report of what is on its disk (key: the node id). Placed on that node by
/// <see cref="NodePlacementDirector"/> and never moved; an activation that finds itself on another node
/// (its node was down when it was placed) reports that and deactivates, so it never describes the wrong disk.
/// </summary>
[NodePlacement]
[Immovable]
[GrainType("olog-node")]
internal sealed class NodeGrain(NodeIdentity node, LogManager logs, ILocalSiloDetails silo) : Grain, INodeGrain
{
    public async Task<NodeDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        string nodeId = this.GetPrimaryKeyString();
        if (!string.Equals(nodeId, node.NodeId, StringComparison.Ordinal))
        {
            this.DeactivateOnIdle();
            return new NodeDescription(
                nodeId, string.Empty, "Unavailable", 0, [], [], -1,
                $"node '{nodeId}' is not active; this report was placed on node '{node.NodeId}' instead");
        }

        TopicPartition[] leads = [.. logs.OpenPartitions.Where(p => logs.TryGet(p, out var open) && open.Role == Partitions.PartitionRole.Leader)];
        Array.Sort(leads, Compare);

        // Walking the log directories is blocking file-system work: keep it off the grain scheduler.
        (TopicPartition[] holds, long diskUsed) = await Task.Run(
            () =>
            {
                TopicPartition[] onDisk = [.. logs.PartitionsOnDisk()];
                Array.Sort(onDisk, Compare);
                return (onDisk, logs.DiskUsedBytes());
            },
            cancellationToken);
        string[] failed = [.. logs.FailedLogs.OrderBy(f => f.Key.ToString(), StringComparer.Ordinal).Select(f => $"{f.Key}: {f.Value}")];
        return new NodeDescription(nodeId, silo.SiloAddress.ToParsableString(), "Active", 0, leads, holds, diskUsed, null, failed);
    }

    private static int Compare(TopicPartition a, TopicPartition b)
    {
        int byTopic = string.CompareOrdinal(a.Topic, b.Topic);
        return byTopic != 0 ? byTopic : a.Partition.CompareTo(b.Partition);
    }
}
