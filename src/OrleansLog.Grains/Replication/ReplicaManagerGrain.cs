using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Placement;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// The leader side of node-to-node replication (key: this node's id; Kafka's ReplicaManager answering
/// follower fetches): one call from a follower node carries its fetch for every partition it follows that
/// this node leads, and is answered from this node's <see cref="Partition"/>s directly. It waits — on
/// one node-wide signal, fired by every append and high-watermark move here — while no partition has
/// anything new, so a follower node keeps one request in flight per leader node instead of one per
/// partition. Reentrant: many followers' fetches wait at once.
/// </summary>
[Reentrant]
[NodePlacement]
[Immovable]
[GrainType("olog-replica-manager")]
internal sealed class ReplicaManagerGrain(LogManager logs, NodeIdentity node, IOptions<OrleansLogOptions> options, TimeProvider timeProvider)
    : Grain, IReplicaManagerGrain
{
    private int _rotation;

    public async Task<NodeFetchResponse> FetchAsync(NodeFetchRequest request, CancellationToken cancellationToken = default)
    {
        if (this.GetPrimaryKeyString() != node.NodeId)
        {
            // Placed off its node (that node is down): this disk leads nothing of the follower's.
            this.DeactivateOnIdle();
            return Refuse(request, $"node '{this.GetPrimaryKeyString()}' is not active; this fetch reached node '{node.NodeId}'; ask each partition for its leader");
        }

        long waitMs = Math.Min(Math.Max(0, request.MaxWaitMs), (long)options.Value.MaxFetchWait.TotalMilliseconds);
        long deadline = timeProvider.GetTimestamp() + (long)(waitMs * (timeProvider.TimestampFrequency / 1000.0));
        while (true)
        {
            Task dataArrived = logs.LeaderDataArrived.Next;
            NodeFetchResponse response = FetchNow(request, out bool anything);
            long remaining = deadline - timeProvider.GetTimestamp();
            if (anything || remaining <= 0 || cancellationToken.IsCancellationRequested)
            {
                return response;
            }

            foreach (ReplicaFetchResult result in response.Results)
            {
                result.Records.Dispose();
            }

            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(dataArrived, Task.Delay(TimeSpan.FromSeconds(remaining / (double)timeProvider.TimestampFrequency), timeProvider, cancel.Token));
            await cancel.CancelAsync();
        }
    }

    /// <summary>
    /// Answers every partition now. Each fetch offset is acknowledged even when the byte budget is spent
    /// (so the high watermark moves); the partition the budget starts with rotates, so none starves.
    /// </summary>
    private NodeFetchResponse FetchNow(NodeFetchRequest request, out bool anything)
    {
        int count = request.Partitions.Count;
        var results = new ReplicaFetchResult[count];
        int budget = Math.Max(1, request.MaxBytes);
        int start = count == 0 ? 0 : (int)((uint)Interlocked.Increment(ref _rotation) % (uint)count);
        anything = false;
        for (int n = 0; n < count; n++)
        {
            int i = (start + n) % count;
            PartitionFetch fetch = request.Partitions[i];
            ReplicaFetchResult result = logs.TryGet(fetch.Partition, out Partition? partition)
                ? partition.ReplicaFetch(request.FollowerNodeId, fetch.LeaderEpoch, fetch.FetchOffset, Math.Min(fetch.MaxBytes, budget))
                : ReplicaFetchResult.Failure(
                    ErrorCode.NotLeaderOrFollower,
                    $"{fetch.Partition}: node '{node.NodeId}' has no open copy of it (not its leader now); ask the partition for its leader");
            budget -= result.Records.Length;
            anything |= result.Error != ErrorCode.None || result.Records.Length > 0;
            results[i] = result;
        }

        return new NodeFetchResponse { Results = results };
    }

    private static NodeFetchResponse Refuse(NodeFetchRequest request, string reason) => new()
    {
        Results = [.. request.Partitions.Select(p => ReplicaFetchResult.Failure(ErrorCode.NotLeaderOrFollower, $"{p.Partition}: {reason}"))],
    };
}
