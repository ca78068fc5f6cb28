using OrleansLog.Grains.Placement;

namespace OrleansLog.Grains.Cluster;

/// <summary>
/// <c>olog cluster rebalance</c>: reads every topic's replicas, plans with <see cref="ReplicaRebalancer"/>
/// and starts one reassignment per partition that changes. The plan works on what the partitions report
/// (the replicas that hold the log now), not on the topic's stored assignment, so it starts from where the
/// data is.
/// </summary>
internal sealed partial class ClusterGrain
{
    public async Task<RebalanceResult> RebalanceAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> live = clusterNodes.ActiveNodeIds();
        if (live.Count == 0)
        {
            return new RebalanceResult(ErrorCode.None, null, []);
        }

        IReadOnlyList<string> topics = await GrainFactory.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).ListAsync(cancellationToken);
        if (topics.Count == 0)
        {
            return new RebalanceResult(ErrorCode.None, null, []);
        }

        var reads = new Task<List<ReplicaRebalancer.PartitionReplicas>>[topics.Count];
        for (int i = 0; i < topics.Count; i++)
        {
            reads[i] = CurrentReplicasAsync(topics[i], cancellationToken);
        }

        List<ReplicaRebalancer.PartitionReplicas>[] current = await Task.WhenAll(reads);
        var assignment = new List<ReplicaRebalancer.PartitionReplicas>();
        var before = new Dictionary<TopicPartition, IReadOnlyList<string>>();
        foreach (List<ReplicaRebalancer.PartitionReplicas> topic in current)
        {
            foreach (ReplicaRebalancer.PartitionReplicas partition in topic)
            {
                assignment.Add(partition);
                before.Add(partition.Partition, partition.Replicas);
            }
        }

        IReadOnlyList<ReplicaRebalancer.PartitionReplicas> changes = ReplicaRebalancer.Rebalance(live, assignment);

        // One at a time: each call only starts a reassignment, and calls to one topic grain queue anyway.
        var moves = new List<ReplicaMove>(changes.Count);
        foreach ((TopicPartition partition, IReadOnlyList<string> replicas) in changes)
        {
            ErrorCode error = await ReassignAsync(partition, replicas, cancellationToken);
            moves.Add(new ReplicaMove(partition.Topic, partition.Partition, before[partition], replicas, error));
        }

        return new RebalanceResult(ErrorCode.None, null, moves);
    }

    /// <summary>
    /// The replicas of each of <paramref name="topic"/>'s partitions as they report them; the topic's
    /// assignment for a partition that cannot report. Partitions in the middle of a reassignment are left
    /// out: moving them again would fight the move under way. Empty if the topic is gone.
    /// </summary>
    private async Task<List<ReplicaRebalancer.PartitionReplicas>> CurrentReplicasAsync(string topic, CancellationToken cancellationToken)
    {
        ITopicGrain grain = GrainFactory.GetGrain<ITopicGrain>(topic);
        IReadOnlyList<PartitionDescription> described = [];
        try
        {
            DescribeTopicResult result = await grain.DescribeAsync(cancellationToken);
            if (result is { Error: ErrorCode.None, Topic: { } description })
            {
                described = description.Partitions;
            }
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            // The topic's metadata below still says where each partition lives.
        }

        var partitions = new List<ReplicaRebalancer.PartitionReplicas>();
        var reported = new HashSet<int>();
        foreach (PartitionDescription partition in described)
        {
            if (partition.TargetReplicas is not null)
            {
                reported.Add(partition.Partition);
            }
            else if (partition.Error == ErrorCode.None && partition.Replicas.Count > 0)
            {
                reported.Add(partition.Partition);
                partitions.Add(new(new TopicPartition(topic, partition.Partition), partition.Replicas));
            }
        }

        if (described.Count == 0 || reported.Count < described.Count)
        {
            TopicMetadata metadata = await grain.GetMetadataAsync(cancellationToken);
            if (!metadata.Exists)
            {
                return [];
            }

            for (int p = 0; p < metadata.PartitionCount; p++)
            {
                if (!reported.Contains(p) && metadata.ReplicasOf(p) is { Count: > 0 } replicas)
                {
                    partitions.Add(new(new TopicPartition(topic, p), replicas));
                }
            }
        }

        return partitions;
    }

    /// <summary>Starts one reassignment; an unreachable topic is reported on its move rather than failing the rest.</summary>
    private async Task<ErrorCode> ReassignAsync(TopicPartition partition, IReadOnlyList<string> replicas, CancellationToken cancellationToken)
    {
        try
        {
            AdminResult result = await GrainFactory.GetGrain<ITopicGrain>(partition.Topic).ReassignAsync(partition.Partition, replicas, cancellationToken);
            return result.Error;
        }
        catch (TimeoutException)
        {
            return ErrorCode.RequestTimedOut;
        }
        catch (OrleansException)
        {
            return ErrorCode.UnknownServerError;
        }
    }
}
