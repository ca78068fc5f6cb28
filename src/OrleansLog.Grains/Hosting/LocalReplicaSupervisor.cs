using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Grains.Logs;

namespace OrleansLog.Grains.Hosting;

/// <summary>
/// The one owner of follower liveness on this node, as a Kafka broker drives its own replica fetchers
/// from the partitions it holds:
/// <list type="number">
/// <item>once the silo is active, it describes every partition on disk — <see cref="WarmUpParallelism"/> at a
/// time —, which activates its grain (so recovery and retention run even for partitions nobody uses), and
/// where another node leads, tells this node's replica to follow that leader at once;</item>
/// <item>then every <see cref="OrleansLogOptions.FollowerCheckInterval"/> it checks that each partition on
/// disk this node does not lead is followed by the node's fetchers; one that was not at two checks in a
/// row is told to follow the current leader.</item>
/// </list>
/// A leader tells its followers when it takes office, but does not watch them. A check looks at this
/// node's fetchers only; a partition that is not followed costs a describe call to it.
/// </summary>
internal sealed partial class LocalReplicaSupervisor(
    LogManager logs,
    Replication.ReplicaFetcherManager fetchers,
    IGrainFactory grainFactory,
    NodeIdentity node,
    IOptions<OrleansLogOptions> options,
    ILogger<LocalReplicaSupervisor> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int StandInRetries = 10;

    /// <summary>How many partitions found on disk are brought up at once when the silo starts.</summary>
    private const int WarmUpParallelism = 64;
    private static readonly TimeSpan StandInRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(LocalReplicaSupervisor), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<TopicPartition> partitions = logs.PartitionsOnDisk();
        try
        {
            await Parallel.ForEachAsync(
                partitions,
                new ParallelOptions { MaxDegreeOfParallelism = WarmUpParallelism, CancellationToken = cancellationToken },
                async (partition, ct) => await TryFollowLeaderAsync(partition, ct));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        LogWarmedUp(logger, partitions.Count);
        using var timer = new PeriodicTimer(options.Value.FollowerCheckInterval);
        try
        {
            // A replica is started only when two checks in a row found it not following: right after a
            // leader change the new leader starts it itself, and that should not count as a repair.
            HashSet<TopicPartition> notFollowing = [];
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                HashSet<TopicPartition> stillNotFollowing = [];
                foreach (TopicPartition partition in logs.PartitionsOnDisk())
                {
                    if (logs.TryGet(partition, out Partitions.Partition? open) && open.Role == Partitions.PartitionRole.Leader)
                    {
                        continue;
                    }

                    if (!await CheckReplicaAsync(partition, notFollowing.Contains(partition), cancellationToken))
                    {
                        stillNotFollowing.Add(partition);
                    }
                }

                notFollowing = stillNotFollowing;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The silo is stopping.
        }
    }

    /// <summary>
    /// Whether this node follows <paramref name="partition"/> (a look at the node's fetchers, no call); one
    /// that did not at the previous check either (<paramref name="startIfStopped"/>) is told to follow,
    /// unless this node leads the partition.
    /// </summary>
    private async Task<bool> CheckReplicaAsync(TopicPartition partition, bool startIfStopped, CancellationToken cancellationToken)
    {
        if (fetchers.IsFollowing(partition))
        {
            return true;
        }

        if (startIfStopped && await TryFollowLeaderAsync(partition, cancellationToken) is { } leader)
        {
            LogRestarted(logger, partition.ToString(), leader);
        }

        return false;
    }

    /// <summary>
    /// Describes the partition (activating it) and, when another node leads and this node is a replica, tells
    /// the local replica to follow it. Returns that leader, or null when this node did not start following.
    /// </summary>
    private async Task<string?> TryFollowLeaderAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        try
        {
            // A node that returns after an outage may find a stand-in activation of its partition on
            // another silo; the stand-in answers NotLeaderOrFollower and leaves within a check
            // interval, after which the call is placed here. Bounded: a few hundred milliseconds.
            PartitionDescription description;
            for (int attempt = 1; ; attempt++)
            {
                using CancellationTokenSource bounded = CallTimeouts.Bounded(cancellationToken);
                description = await grainFactory.GetGrain<IPartitionGrain>(partition.ToGrainKey()).DescribeAsync(bounded.Token);
                if (description.Error != ErrorCode.NotLeaderOrFollower || attempt == StandInRetries)
                {
                    break;
                }

                await Task.Delay(StandInRetryDelay, cancellationToken);
            }

            if (description.Error == ErrorCode.UnknownTopicOrPartition)
            {
                await RemoveIfStrayAsync(partition, cancellationToken);
                return null;
            }

            if (description.Error != ErrorCode.None)
            {
                LogNotAnswered(logger, partition.ToString(), description.Error, description.Leader);
                return null;
            }

            if (description.Leader == node.NodeId || !description.Replicas.Contains(node.NodeId))
            {
                return null;
            }

            // Bounded too: one unanswered call must not hold up the partitions after it.
            using (CancellationTokenSource bounded = CallTimeouts.Bounded(cancellationToken))
            {
                await grainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(partition, node.NodeId)).FollowAsync(description.LeaderEpoch, description.Leader, bounded.Token);
            }

            return description.Leader;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailure(partition, ex);
            return null;
        }
    }

    /// <summary>
    /// A directory on this disk whose partition the cluster does not know: when the topic's own record says
    /// the topic (or that partition) does not exist, it is the data of a topic deleted while this node was
    /// down, and it goes (Kafka deletes such stray logs too). A re-created topic's partitions are opened
    /// with its new id, which removes the old data the same way.
    /// </summary>
    private async Task RemoveIfStrayAsync(TopicPartition partition, CancellationToken cancellationToken)
    {
        // The copy as it is before the question: the topic may be re-created while it is asked, and the
        // new topic's copy (opened under its new id) must not be taken for the stray.
        Guid? strayId = logs.TopicIdOf(partition);
        TopicMetadata topic;
        using (CancellationTokenSource bounded = CallTimeouts.Bounded(cancellationToken))
        {
            topic = await grainFactory.GetGrain<ITopicGrain>(partition.Topic).GetMetadataAsync(bounded.Token);
        }

        if ((!topic.Exists || partition.Partition >= topic.PartitionCount) && logs.DeleteStray(partition, strayId, () => fetchers.Forget(partition)))
        {
            LogStrayRemoved(logger, partition.ToString());
        }
    }

    /// <summary>A silo that just died or a call that timed out is routine during failover: one line; anything else with its stack.</summary>
    private void LogFailure(TopicPartition partition, Exception exception)
    {
        if (exception is OrleansException or TimeoutException or OperationCanceledException)
        {
            LogCheckRetried(logger, partition.ToString(), exception.GetType().Name, exception.Message);
        }
        else
        {
            LogCheckFailed(logger, exception, partition.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Activated {Count} partitions found on disk")]
    private static partial void LogWarmedUp(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} found on disk answered {Error} (leader '{Leader}'); this node's replica is not told to follow now")]
    private static partial void LogNotAnswered(ILogger logger, string partition, ErrorCode error, string leader);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: this node's replica was not following; told it to follow the leader on node {Leader}")]
    private static partial void LogRestarted(ILogger logger, string partition, string leader);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} found on disk: could not check or start this node's replica now ({Type}: {Reason}); the next check retries")]
    private static partial void LogCheckRetried(ILogger logger, string partition, string type, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition} found on disk: could not check or start this node's replica")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the log of {Partition} from this node: its topic was deleted while the node was away")]
    private static partial void LogStrayRemoved(ILogger logger, string partition);
}
