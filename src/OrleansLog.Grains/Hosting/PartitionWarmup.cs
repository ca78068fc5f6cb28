using Microsoft.Extensions.Logging;
using OrleansLog.Grains.Logs;

namespace OrleansLog.Grains.Hosting;

/// <summary>
/// Once the silo is active, activates the partition grain of every log found on this node's disk, so
/// their recovery runs and retention keeps running even for partitions nobody writes to or reads from.
/// Where another node leads, this node's replica starts following that leader at once (as a Kafka broker
/// that starts up becomes follower of the partitions it holds): the leader also restarts followers that
/// stopped fetching, but a returning node should not depend on that alone to rejoin the ISR.
/// </summary>
internal sealed partial class PartitionWarmup(LogManager logs, IGrainFactory grainFactory, NodeIdentity node, ILogger<PartitionWarmup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    private const int StandInRetries = 10;
    private static readonly TimeSpan StandInRetryDelay = TimeSpan.FromMilliseconds(100);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PartitionWarmup), ServiceLifecycleStage.Active, OnStartAsync, _ => Task.CompletedTask);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<TopicPartition> partitions = logs.PartitionsOnDisk();
        _ = Task.Run(() => WarmUpAsync(partitions), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task WarmUpAsync(IReadOnlyList<TopicPartition> partitions)
    {
        foreach (TopicPartition partition in partitions)
        {
            try
            {
                // A node that returns after an outage may find a stand-in activation of its partition on
                // another silo; the stand-in answers NotLeaderOrFollower and leaves within a check
                // interval, after which the call is placed here. Bounded: a few hundred milliseconds.
                PartitionDescription description;
                for (int attempt = 1; ; attempt++)
                {
                    using CancellationTokenSource bounded = CallTimeouts.Bounded(CancellationToken.None);
                    description = await grainFactory.GetGrain<IPartitionGrain>(partition.ToGrainKey()).DescribeAsync(bounded.Token);
                    if (description.Error != ErrorCode.NotLeaderOrFollower || attempt == StandInRetries)
                    {
                        break;
                    }

                    await Task.Delay(StandInRetryDelay);
                }

                if (description.Error != ErrorCode.None)
                {
                    LogNotAnswered(logger, partition.ToString(), description.Error, description.Leader);
                }
                else if (description.Leader != node.NodeId && description.Replicas.Contains(node.NodeId))
                {
                    // Bounded too: one unanswered call must not hold up the partitions after it.
                    using CancellationTokenSource bounded = CallTimeouts.Bounded(CancellationToken.None);
                    await grainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(partition, node.NodeId)).FollowAsync(description.LeaderEpoch, bounded.Token);
                }
            }
            catch (Exception ex)
            {
                LogWarmupFailed(logger, ex, partition.ToString());
            }
        }

        LogWarmedUp(logger, partitions.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Activated {Count} partitions found on disk")]
    private static partial void LogWarmedUp(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition} found on disk answered {Error} at start-up (leader '{Leader}'); its leader restarts this node's replica instead")]
    private static partial void LogNotAnswered(ILogger logger, string partition, ErrorCode error, string leader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not activate partition {Partition} found on disk")]
    private static partial void LogWarmupFailed(ILogger logger, Exception exception, string partition);
}
