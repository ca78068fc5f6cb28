using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Partitions;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// The partitions this node follows and the fetchers that copy them (Kafka's ReplicaFetcherManager): one
/// <see cref="ReplicaFetcher"/> per leader node, each fetching every partition this node follows there in
/// one request. The replica grains tell it whom to follow (<see cref="Follow"/>) and when to stop
/// (<see cref="Stop"/>); it keeps each partition's epoch fence for the silo's lifetime, so a stale call
/// is refused even after the partition stopped being followed here.
/// </summary>
internal sealed partial class ReplicaFetcherManager(
    IGrainFactory grains,
    Logs.LogManager logs,
    NodeIdentity node,
    IOptions<OrleansLogOptions> options,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly Lock _lock = new();
    private readonly Dictionary<TopicPartition, FollowedPartition> _followed = [];
    private readonly Dictionary<TopicPartition, EpochFence> _fences = [];
    private readonly Dictionary<string, ReplicaFetcher> _fetchers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<ReplicaFetcherManager>();

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ReplicaFetcherManager), ServiceLifecycleStage.Active, _ => Task.CompletedTask, OnStopAsync);

    /// <summary>The newest leader epoch this node knows for <paramref name="partition"/>, or -1.</summary>
    public int LatestEpoch(TopicPartition partition)
    {
        lock (_lock)
        {
            return _fences.TryGetValue(partition, out EpochFence? fence) ? fence.LatestEpoch : Storage.LeaderEpochCache.UndefinedEpoch;
        }
    }

    /// <summary>
    /// Follows the leader of <paramref name="leaderEpoch"/> on <paramref name="leaderNode"/> with <paramref name="copy"/>:
    /// a newer epoch (or another leader node) closes the truncation gate, so the copy truncates before it
    /// fetches again. False, changing nothing, for an epoch older than one already known.
    /// </summary>
    public bool Follow(TopicPartition partition, Partition copy, int leaderEpoch, string leaderNode)
    {
        ReplicaFetcher fetcher;
        lock (_lock)
        {
            EpochFence fence = FenceOf(partition);
            int known = fence.LatestEpoch;
            if (fence.Accept(leaderEpoch) != ErrorCode.None)
            {
                return false;
            }

            if (_followed.TryGetValue(partition, out FollowedPartition? followed))
            {
                if (leaderEpoch > known || followed.LeaderNode != leaderNode)
                {
                    followed.Truncation.Close();
                    followed.NotBefore = 0;
                    followed.LeaderNode = leaderNode;
                }
            }
            else
            {
                copy.BecomeFollower();
                followed = new FollowedPartition(partition, copy, leaderNode, fence);
                _followed[partition] = followed;
                LogFollowing(_logger, partition.ToString(), leaderNode, leaderEpoch);
            }

            fetcher = FetcherFor(leaderNode);
        }

        fetcher.Wake();
        return true;
    }

    /// <summary>
    /// Stops following <paramref name="partition"/> when <paramref name="leaderEpoch"/> is not older than the
    /// newest known (and raises the fence to it): once this returns, no fetcher touches the copy.
    /// </summary>
    public ReplicaStatus Stop(TopicPartition partition, int leaderEpoch)
    {
        lock (_lock)
        {
            EpochFence fence = FenceOf(partition);
            if (fence.AcceptTentatively(leaderEpoch) == ErrorCode.None && _followed.Remove(partition, out FollowedPartition? followed))
            {
                followed.Copy.StopFollowing();
                LogStopped(_logger, partition.ToString(), leaderEpoch);
            }

            return StatusCore(partition);
        }
    }

    /// <summary>
    /// The local election for <paramref name="leaderEpoch"/>, for which <see cref="Stop"/> raised the fence,
    /// failed: the fence goes back (Kafka never raises a replica's epoch before the controller has written it).
    /// </summary>
    public void Withdraw(TopicPartition partition, int leaderEpoch)
    {
        lock (_lock)
        {
            if (_fences.TryGetValue(partition, out EpochFence? fence))
            {
                fence.Withdraw(leaderEpoch);
            }
        }
    }

    /// <summary>Stops following and forgets the fence: the partition's topic was deleted, and a new one of that name starts afresh.</summary>
    public void Forget(TopicPartition partition)
    {
        lock (_lock)
        {
            if (_followed.Remove(partition, out FollowedPartition? followed))
            {
                followed.Copy.StopFollowing();
            }

            _fences.Remove(partition);
        }
    }

    public bool IsFollowing(TopicPartition partition)
    {
        lock (_lock)
        {
            return _followed.ContainsKey(partition);
        }
    }

    public ReplicaStatus Status(TopicPartition partition)
    {
        lock (_lock)
        {
            return StatusCore(partition);
        }
    }

    /// <summary>The partitions one fetcher copies now.</summary>
    internal FollowedPartition[] PartitionsOf(string leaderNode)
    {
        lock (_lock)
        {
            return [.. _followed.Values.Where(f => f.LeaderNode == leaderNode)];
        }
    }

    /// <summary>Whether <paramref name="followed"/> is still followed from <paramref name="leaderNode"/> (not stopped or moved meanwhile).</summary>
    internal bool StillFollows(FollowedPartition followed, string leaderNode)
    {
        lock (_lock)
        {
            return _followed.TryGetValue(followed.Id, out FollowedPartition? current) && ReferenceEquals(current, followed) && followed.LeaderNode == leaderNode;
        }
    }

    /// <summary>
    /// The followed copy's log failed (a write or fsync error): it is no longer followed (the fence stays)
    /// and the node's log manager closes it and reports it; the node's supervisor follows again later, which
    /// reopens — and recovers — the log once the disk is usable.
    /// </summary>
    internal void CopyFailed(FollowedPartition followed, string reason)
    {
        lock (_lock)
        {
            if (_followed.TryGetValue(followed.Id, out FollowedPartition? current) && ReferenceEquals(current, followed))
            {
                _followed.Remove(followed.Id);
                followed.Copy.StopFollowing();
            }
        }

        logs.ReportFailed(followed.Id, followed.Copy, reason);
    }

    /// <summary>A leader answered with a newer epoch: adopt it (the truncation gate closes by itself, as it no longer matches).</summary>
    internal void AdoptEpoch(FollowedPartition followed, int leaderEpoch)
    {
        lock (_lock)
        {
            followed.Fence.Accept(leaderEpoch);
        }
    }

    /// <summary>Removes a fetcher that has nothing left to fetch, unless a partition arrived meanwhile.</summary>
    internal bool RetireIfIdle(ReplicaFetcher fetcher)
    {
        lock (_lock)
        {
            if (_followed.Values.Any(f => f.LeaderNode == fetcher.LeaderNode))
            {
                return false;
            }

            _fetchers.Remove(fetcher.LeaderNode);
            return true;
        }
    }

    private ReplicaFetcher FetcherFor(string leaderNode)
    {
        if (!_fetchers.TryGetValue(leaderNode, out ReplicaFetcher? fetcher))
        {
            fetcher = new ReplicaFetcher(this, leaderNode, grains, node, options.Value, timeProvider, loggerFactory.CreateLogger<ReplicaFetcher>());
            _fetchers[leaderNode] = fetcher;
            fetcher.Start(_stopping.Token);
        }

        return fetcher;
    }

    private EpochFence FenceOf(TopicPartition partition)
    {
        if (!_fences.TryGetValue(partition, out EpochFence? fence))
        {
            fence = new EpochFence();
            _fences[partition] = fence;
        }

        return fence;
    }

    private ReplicaStatus StatusCore(TopicPartition partition)
    {
        int epoch = _fences.TryGetValue(partition, out EpochFence? fence) ? fence.LatestEpoch : Storage.LeaderEpochCache.UndefinedEpoch;
        if (_followed.TryGetValue(partition, out FollowedPartition? followed))
        {
            Partition copy = followed.Copy;
            return new ReplicaStatus(node.NodeId, true, epoch, copy.Log.LogStartOffset, copy.Log.LogEndOffset, copy.HighWatermark);
        }

        return new ReplicaStatus(node.NodeId, false, epoch, -1, -1, -1);
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        ReplicaFetcher[] fetchers;
        lock (_lock)
        {
            fetchers = [.. _fetchers.Values];
        }

        await Task.WhenAll(fetchers.Select(f => f.Completion)).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: this node follows the leader on node {Leader} in leader epoch {LeaderEpoch}")]
    private static partial void LogFollowing(ILogger logger, string partition, string leader, int leaderEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: this node stopped following (leader epoch {LeaderEpoch})")]
    private static partial void LogStopped(ILogger logger, string partition, int leaderEpoch);
}
