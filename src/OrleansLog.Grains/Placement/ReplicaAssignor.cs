namespace OrleansLog.Grains.Placement;

/// <summary>
/// Kafka's rack-unaware replica assignment (<c>AdminUtils.assignReplicasToBrokersRackUnaware</c>), so
/// partitions and their leaders spread over nodes the way a Kafka operator expects:
/// <list type="bullet">
/// <item>partition p's first replica (its preferred leader) is node <c>(p + startIndex) mod n</c>, so
/// leaders go round-robin and every node leads ⌊P/n⌋ or ⌈P/n⌉ partitions;</item>
/// <item>the other replicas follow the first at a shift that grows by one after every n partitions,
/// so followers of one node's partitions spread over all other nodes instead of always the next one;</item>
/// <item>a random <c>startIndex</c> per topic keeps many small topics from all leading on the first node.</item>
/// </list>
/// Pure and deterministic for given start values; the topic grain picks them.
/// </summary>
public static class ReplicaAssignor
{
    /// <param name="nodes">Active node ids, sorted (Kafka sorts broker ids).</param>
    /// <param name="partitions">How many partitions to assign.</param>
    /// <param name="replicationFactor">Replicas per partition, 1 ≤ RF ≤ nodes.</param>
    /// <param name="startIndex">Node index of partition <paramref name="startPartition"/>'s leader's base.</param>
    /// <param name="nextReplicaShift">Initial distance from a leader to its first follower.</param>
    /// <param name="startPartition">The first partition id to assign (non-zero when adding partitions).</param>
    public static string[][] Assign(
        IReadOnlyList<string> nodes, int partitions, int replicationFactor, int startIndex, int nextReplicaShift, int startPartition = 0)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        int n = nodes.Count;
        if (n == 0 || replicationFactor < 1 || replicationFactor > n)
        {
            throw new ArgumentOutOfRangeException(
                nameof(replicationFactor), $"replication factor {replicationFactor} needs between 1 and {n} nodes");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(partitions);
        ArgumentOutOfRangeException.ThrowIfNegative(startIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(nextReplicaShift);
        ArgumentOutOfRangeException.ThrowIfNegative(startPartition);

        var result = new string[partitions][];
        int shift = nextReplicaShift;
        for (int i = 0; i < partitions; i++)
        {
            int partition = startPartition + i;
            if (partition > 0 && partition % n == 0)
            {
                shift++;
            }

            int first = (partition + startIndex) % n;
            string[] replicas = new string[replicationFactor];
            replicas[0] = nodes[first];
            for (int j = 0; j < replicationFactor - 1; j++)
            {
                replicas[j + 1] = nodes[FollowerIndex(first, shift, j, n)];
            }

            result[i] = replicas;
        }

        return result;
    }

    private static int FollowerIndex(int first, int shift, int replica, int n) =>
        (first + 1 + ((shift + replica) % (n - 1))) % n;
}
