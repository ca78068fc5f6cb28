using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using OrleansLog.Grains.Cluster;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Placement;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// This node's replica of one partition (key <c>"{topic}/{partition}@{node}"</c>, placed on that node): the
/// address a leader and the node's supervisor use to say whom the copy follows (Kafka's LeaderAndIsr
/// request for one partition). The copying itself is the node's (<see cref="ReplicaFetcherManager"/>:
/// one fetcher per leader node, all its partitions in one request), and so is the epoch fence, so this
/// grain holds no state and may deactivate at any time without stopping replication.
/// <para><b>Fencing:</b> the node remembers the newest leader epoch it has seen for the partition; a
/// follow or stop call of an older epoch changes nothing, so a deposed leader can never make it follow
/// again, and <see cref="StopAsync"/> (the local leader taking office) raises the fence first.</para>
/// </summary>
[Reentrant]
[NodePlacement]
[GrainType("olog-replica")]
internal sealed partial class ReplicaGrain(
    LogManager logs,
    ReplicaFetcherManager fetchers,
    NodeIdentity node,
    ClusterNodes clusterNodes,
    ILogger<ReplicaGrain> logger) : Grain, IReplicaGrain
{
    private TopicPartition _partition;
    private string _nodeId = string.Empty;
    private bool _onItsNode;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        int at = key.LastIndexOf('@');
        _partition = TopicPartition.ParseGrainKey(key[..at]);
        _nodeId = key[(at + 1)..];
        _onItsNode = string.Equals(_nodeId, node.NodeId, StringComparison.Ordinal);
        return Task.CompletedTask;
    }

    public async Task FollowAsync(int leaderEpoch, string leaderNodeId, CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
            return;
        }

        if (leaderEpoch < fetchers.LatestEpoch(_partition) || leaderNodeId == node.NodeId)
        {
            LogStaleCall(logger, _partition.ToString(), _nodeId, "follow", leaderEpoch, fetchers.LatestEpoch(_partition));
            return;
        }

        if (await OpenCopyAsync(cancellationToken) is { } copy && !fetchers.Follow(_partition, copy, leaderEpoch, leaderNodeId))
        {
            LogStaleCall(logger, _partition.ToString(), _nodeId, "follow", leaderEpoch, fetchers.LatestEpoch(_partition));
        }
    }

    public Task<ReplicaStatus> StopAsync(int leaderEpoch, CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
            return Task.FromResult(new ReplicaStatus(_nodeId, false, -1, -1, -1, -1));
        }

        return Task.FromResult(fetchers.Stop(_partition, leaderEpoch));
    }

    public Task WithdrawAsync(int leaderEpoch, CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
            return Task.CompletedTask;
        }

        fetchers.Withdraw(_partition, leaderEpoch);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(int leaderEpoch, CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
        }
        else if (leaderEpoch >= fetchers.LatestEpoch(_partition))
        {
            fetchers.Forget(_partition);
            logs.Delete(_partition);
            LogDeleted(logger, _partition.ToString(), _nodeId, leaderEpoch);
            this.DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }

    public Task<ReplicaStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
        }

        return Task.FromResult(fetchers.Status(_partition));
    }

    /// <summary>
    /// An activation placed off its node (because the node was down) has no disk to follow into and serves
    /// nothing. Once the node is active it migrates there: placement runs again, and the directory entry
    /// and queued calls move with it (calls already addressed to this silo would otherwise recreate the
    /// grain here without placement).
    /// </summary>
    private void LeaveWrongNode()
    {
        bool nodeActive = clusterNodes.IsActive(_nodeId);
        LogOffItsNode(logger, _partition.ToString(), _nodeId, node.NodeId, nodeActive);
        if (nodeActive)
        {
            this.MigrateOnIdle();
        }
        else
        {
            this.DeactivateOnIdle();
        }
    }

    /// <summary>This node's copy, opened with the topic's configuration; null when the topic is gone.</summary>
    private async Task<Partition?> OpenCopyAsync(CancellationToken cancellationToken)
    {
        if (logs.TryGet(_partition, out Partition? open))
        {
            return open;
        }

        TopicMetadata topic;
        using (CancellationTokenSource bounded = CallTimeouts.Bounded(cancellationToken))
        {
            topic = await GrainFactory.GetGrain<ITopicGrain>(_partition.Topic).GetMetadataAsync(bounded.Token);
        }

        if (!topic.Exists || _partition.Partition >= topic.PartitionCount)
        {
            LogTopicGone(logger, _partition.ToString(), _nodeId);
            return null;
        }

        return await logs.GetOrOpenAsync(_partition, topic.Config, topic.TopicId, cancellationToken);
    }
}
