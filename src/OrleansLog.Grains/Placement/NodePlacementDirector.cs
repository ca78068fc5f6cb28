using Orleans.Runtime.Placement;
using OrleansLog.Grains.Cluster;

namespace OrleansLog.Grains.Placement;

/// <summary>
/// Puts a grain keyed by a node id (or by <c>"{anything}@{node id}"</c>, like a follower replica) on the silo of that node; when the node is not active, on
/// <see cref="PlacementFallback"/> (the grain then reports that its node is unavailable).
/// </summary>
internal sealed class NodePlacementDirector(ClusterNodes nodes) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        string nodeId = key[(key.LastIndexOf('@') + 1)..];
        return Task.FromResult(nodes.TryGetActiveSilo(nodeId, out SiloAddress silo) ? silo : PlacementFallback.Choose(target, context));
    }
}
