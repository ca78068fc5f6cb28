using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Placement;
using Orleans.Storage;
using OrleansLog.Grains.Cluster;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Replication;

namespace OrleansLog.Grains.Placement;

/// <summary>
/// Puts a partition grain (key <c>"{topic}/{partition}"</c>) on the node that should lead it: the node
/// <see cref="LeaderElection.Choose"/> picks from the partition's persisted replication record (read from
/// grain storage, so it is as fresh as the last leader change) and the topic's replica assignment — the
/// live in-sync replica that led last, else the first live in-sync replica in preference order. With
/// replication factor 1 that is the one node holding the log.
/// <para>
/// When no eligible node is active the grain still has to be placed somewhere — a placement director
/// cannot refuse without failing the caller with an opaque Orleans exception — so it goes to
/// <see cref="PlacementFallback"/>; that activation sees it is not on its node, answers every call with a
/// retriable <c>LeaderNotAvailable</c> at once, and moves as soon as an eligible node is back. Partitions of
/// topics without an assignment (created before assignments existed) are not bound to a node and are placed
/// locally, as before.
/// </para>
/// </summary>
internal sealed partial class PartitionPlacementDirector(
    ClusterNodes nodes,
    IGrainFactory grainFactory,
    IServiceProvider services,
    ILogger<PartitionPlacementDirector> logger) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        TopicPartition partition = TopicPartition.ParseGrainKey(target.GrainIdentity.Key.ToString()!);
        TopicMetadata topic;
        try
        {
            using CancellationTokenSource bounded = CallTimeouts.Bounded(CancellationToken.None);
            topic = await grainFactory.GetGrain<ITopicGrain>(partition.Topic).GetMetadataAsync(bounded.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or OrleansException)
        {
            // Failing here fails the caller with an opaque exception; an activation placed here instead asks
            // the topic again itself, and stands in (retriable answers) or moves if this is not its node.
            SiloAddress here = PlacementFallback.Choose(target, context);
            LogTopicUnreachable(logger, partition.ToString(), ex.GetType().Name, ex.Message, here);
            return here;
        }

        IReadOnlyList<string> replicas = topic.ReplicasOf(partition.Partition);
        if (replicas.Count == 0)
        {
            return PlacementFallback.Choose(target, context);
        }

        PartitionReplicationState stored = await ReadRecordAsync(target.GrainIdentity);
        string? leader = LeaderElection.Choose(stored, replicas, nodes.IsActive, topic.Config.UncleanLeaderElectionEnable);
        if (leader is not null && nodes.TryGetActiveSilo(leader, out SiloAddress silo))
        {
            return silo;
        }

        SiloAddress fallback = PlacementFallback.Choose(target, context);
        LogNoEligibleNode(logger, partition.ToString(), stored.ToString(), string.Join(", ", context.GetCompatibleSilos(target).Select(s => s.ToString())), fallback);
        return fallback;
    }

    /// <summary>The partition grain's replication record; an empty one when it cannot be read (placement then follows the assignment).</summary>
    private async Task<PartitionReplicationState> ReadRecordAsync(GrainId grainId)
    {
        var state = new GrainState<PartitionReplicationState>(new PartitionReplicationState());
        try
        {
            IGrainStorage storage = services.GetRequiredKeyedService<IGrainStorage>(OrleansLogOptions.StorageName);
            await storage.ReadStateAsync("replication", grainId, state);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRecordUnreadable(logger, ex, grainId.ToString());
            return new PartitionReplicationState();
        }

        return state.State ?? new PartitionReplicationState();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: its topic did not answer placement ({Type}: {Reason}); placing it on {Silo}, where it asks again")]
    private static partial void LogTopicUnreachable(ILogger logger, string partition, string type, string reason, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: no node that may lead it is active ({Record}; compatible silos: {Compatible}); placing a stand-in on {Silo}")]
    private static partial void LogNoEligibleNode(ILogger logger, string partition, string record, string compatible, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Placement of {Grain}: its replication record could not be read; following the topic's assignment")]
    private static partial void LogRecordUnreadable(ILogger logger, Exception exception, string grain);
}
