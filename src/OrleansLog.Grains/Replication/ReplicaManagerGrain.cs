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
/// partition. Requests and answers are incremental within a <see cref="FetchSession"/> per follower node
/// (KIP-227). Reentrant: many followers' fetches wait at once.
/// </summary>
[Reentrant]
[NodePlacement]
[Immovable]
[GrainType("olog-replica-manager")]
internal sealed class ReplicaManagerGrain(LogManager logs, NodeIdentity node, IOptions<OrleansLogOptions> options, TimeProvider timeProvider)
    : Grain, IReplicaManagerGrain
{
    /// <summary>Each follower node's fetch session here, by node id (one fetcher per leader node on each follower).</summary>
    private readonly Dictionary<string, FetchSession> _sessions = new(StringComparer.Ordinal);

    public async Task<NodeFetchResponse> FetchAsync(NodeFetchRequest request, CancellationToken cancellationToken = default)
    {
        if (this.GetPrimaryKeyString() != node.NodeId)
        {
            // Placed off its node (that node is down): this disk leads nothing of the follower's.
            this.DeactivateOnIdle();
            string reason = $"node '{this.GetPrimaryKeyString()}' is not active; this fetch reached node '{node.NodeId}'";
            return request.SessionId != 0
                ? SessionError(ErrorCode.FetchSessionIdNotFound, $"{reason}, which holds no fetch session")
                : Refuse(request, $"{reason}; ask each partition for its leader");
        }

        if (OpenSession(request) is not { } session)
        {
            return SessionError(
                _sessions.TryGetValue(request.FollowerNodeId, out FetchSession? held) && held.Id == request.SessionId ? ErrorCode.InvalidFetchSessionEpoch : ErrorCode.FetchSessionIdNotFound,
                $"node '{node.NodeId}' holds no fetch session {request.SessionId} in epoch {request.SessionEpoch} for node '{request.FollowerNodeId}'; send a full fetch");
        }

        int epoch = session.NextEpoch;
        long waitMs = Math.Min(Math.Max(0, request.MaxWaitMs), (long)options.Value.MaxFetchWait.TotalMilliseconds);
        long deadline = timeProvider.GetTimestamp() + (long)(waitMs * (timeProvider.TimestampFrequency / 1000.0));
        while (true)
        {
            Task dataArrived = logs.LeaderDataArrived.Next;
            NodeFetchResponse response = session.Fetch(request.MaxBytes, (fetch, maxBytes) => Read(request.FollowerNodeId, fetch, maxBytes), HasNothingNew, out bool anything);
            long remaining = deadline - timeProvider.GetTimestamp();
            if (anything || remaining <= 0 || cancellationToken.IsCancellationRequested)
            {
                session.Commit(response);
                return response;
            }

            foreach (ReplicaFetchResult result in response.Results)
            {
                result.Records.Dispose();
            }

            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(dataArrived, Task.Delay(TimeSpan.FromSeconds(remaining / (double)timeProvider.TimestampFrequency), timeProvider, cancel.Token));
            await cancel.CancelAsync();
            if (!_sessions.TryGetValue(request.FollowerNodeId, out FetchSession? current) || current != session || session.NextEpoch != epoch)
            {
                // The follower gave up on this request (its call timed out) and started over meanwhile.
                return SessionError(ErrorCode.InvalidFetchSessionEpoch, $"fetch session {session.Id} of node '{request.FollowerNodeId}' moved on while this request waited");
            }
        }
    }

    /// <summary>A full request opens a new session for its follower (replacing any older one); an incremental one must name the follower's session and its next epoch.</summary>
    private FetchSession? OpenSession(NodeFetchRequest request)
    {
        if (request.SessionId == 0)
        {
            var opened = new FetchSession(Random.Shared.NextInt64(1, long.MaxValue), RefreshInterval, timeProvider);
            opened.Update(request.Partitions, null);
            _sessions[request.FollowerNodeId] = opened;
            return opened;
        }

        if (!_sessions.TryGetValue(request.FollowerNodeId, out FetchSession? session) || session.Id != request.SessionId || session.NextEpoch != request.SessionEpoch)
        {
            return null;
        }

        session.Update(request.Partitions, request.Forgotten);
        return session;
    }

    private ReplicaFetchResult Read(string follower, PartitionFetch fetch, int maxBytes) =>
        logs.TryGet(fetch.Partition, out Partition? partition)
            ? partition.ReplicaFetch(follower, fetch.LeaderEpoch, fetch.FetchOffset, maxBytes)
            : ReplicaFetchResult.Failure(
                ErrorCode.NotLeaderOrFollower,
                $"{fetch.Partition}: node '{node.NodeId}' has no open copy of it (not its leader now); ask the partition for its leader");

    /// <summary>How long a quiet partition of a session goes unread at most: a quarter of replica.lag.time.max, at most a second.</summary>
    private TimeSpan RefreshInterval => TimeSpan.FromTicks(Math.Min(TimeSpan.TicksPerSecond, options.Value.ReplicaLagTime.Ticks / 4));

    private bool HasNothingNew(PartitionFetch fetch, long highWatermark, long logStartOffset) =>
        logs.TryGet(fetch.Partition, out Partition? partition) && partition.HasNothingNewFor(fetch.LeaderEpoch, fetch.FetchOffset, highWatermark, logStartOffset);

    private static NodeFetchResponse SessionError(ErrorCode error, string message) => new() { Error = error, Message = message };

    private static NodeFetchResponse Refuse(NodeFetchRequest request, string reason) => new()
    {
        Partitions = [.. request.Partitions.Select(p => p.Partition)],
        Results = [.. request.Partitions.Select(p => ReplicaFetchResult.Failure(ErrorCode.NotLeaderOrFollower, $"{p.Partition}: {reason}"))],
    };
}
