using Microsoft.Extensions.Logging;
using Orleans.Runtime.Placement;
using OrleansLog.Grains.Cluster;

namespace OrleansLog.Grains.Placement;

/// <summary>
/// Puts a partition grain (key <c>"{topic}/{partition}"</c>) on the node that owns the partition's log:
/// the first node of its replica assignment, read from the topic grain (durable, so it survives every
/// restart). With replication factor 1 that node holds the only copy, so the leader can run nowhere else.
/// <para>
/// When the owning node is not active the grain still has to be placed somewhere — a placement
/// director cannot refuse without failing the caller with an opaque Orleans exception — so it goes to
/// <see cref="PlacementFallback"/>; that activation sees it is not on its node, answers every call with a
/// retriable <c>LeaderNotAvailable</c> at once, and deactivates as soon as the owner is back, so the
/// next call is placed here again and lands on the owner. Partitions of topics without an assignment
/// (created before assignments existed) are not bound to a node and are placed locally, as before.
/// </para>
/// </summary>
internal sealed partial class PartitionPlacementDirector(
    ClusterNodes nodes,
    IGrainFactory grainFactory,
    ILogger<PartitionPlacementDirector> logger) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        TopicPartition partition = TopicPartition.ParseGrainKey(target.GrainIdentity.Key.ToString()!);
        TopicMetadata topic = await grainFactory.GetGrain<ITopicGrain>(partition.Topic).GetMetadataAsync();
        IReadOnlyList<string> replicas = topic.ReplicasOf(partition.Partition);
        if (replicas.Count == 0)
        {
            return PlacementFallback.Choose(target, context);
        }

        string owner = replicas[0];
        bool active = nodes.TryGetActiveSilo(owner, out SiloAddress silo);
        if (active && PlacementFallback.IsCompatible(silo, target, context))
        {
            return silo;
        }

        SiloAddress fallback = PlacementFallback.Choose(target, context);
        LogOwnerUnavailable(logger, partition.ToString(), owner, active ? silo : null, string.Join(", ", context.GetCompatibleSilos(target).Select(s => s.ToString())), fallback);
        return fallback;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: its node {Node} is not available (active silo: {OwnerSilo}; compatible silos: {Compatible}); placing a stand-in on {Silo}")]
    private static partial void LogOwnerUnavailable(ILogger logger, string partition, string node, SiloAddress? ownerSilo, string compatible, SiloAddress silo);
}
