namespace OrleansLog.Grains.Topics;

/// <summary>
/// The operator's quotas on partitions (Kafka has no built-in one per topic; operators set policies): a
/// topic may have at most so many partitions, and a node may hold at most so many replicas over all topics.
/// A create or add-partitions beyond either is refused before anything is written.
/// </summary>
internal static class PartitionLimits
{
    /// <summary>Null when within the limits; else the refusal, naming the setting and the numbers.</summary>
    /// <param name="totalPartitions">The topic's partition count after the change.</param>
    /// <param name="added">The replica assignment of the partitions the change adds.</param>
    /// <param name="heldPerNode">Replicas each node holds already, over the other topics and this one's existing partitions.</param>
    public static AdminResult? Check(
        string topic, int totalPartitions, IReadOnlyList<IReadOnlyList<string>> added, IReadOnlyDictionary<string, int> heldPerNode, int maxPerTopic, int maxPerNode)
    {
        if (totalPartitions > maxPerTopic)
        {
            return AdminResult.Failure(
                ErrorCode.InvalidPartitions,
                $"topic '{topic}': {totalPartitions} partitions is more than the {maxPerTopic} a topic may have (OrleansLog:MaxPartitionsPerTopic)");
        }

        var adding = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (IReadOnlyList<string> replicas in added)
        {
            foreach (string replica in replicas)
            {
                adding[replica] = adding.GetValueOrDefault(replica) + 1;
            }
        }

        foreach ((string node, int count) in adding.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            int held = heldPerNode.GetValueOrDefault(node);
            if (held + count > maxPerNode)
            {
                return AdminResult.Failure(
                    ErrorCode.InvalidPartitions,
                    $"topic '{topic}': node '{node}' would hold {held + count} partition replicas ({held} now, {count} more), more than the {maxPerNode} a node may hold (OrleansLog:MaxPartitionsPerNode)");
            }
        }

        return null;
    }
}
