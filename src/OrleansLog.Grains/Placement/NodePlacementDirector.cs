using Orleans.Runtime.Placement;
using OrleansLog.Grains.Cluster;

namespace OrleansLog.Grains.Placement;

/// <summary>
/// Puts a grain keyed by a node id on the silo of that node; when the node is not active, on
/// <see cref="PlacementFallback"/> (the grain then reports that its node is unavailable).
/// </summary>
internal sealed class NodePlacementDirector(ClusterNodes nodes) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string nodeId = target.GrainIdentity.Key.ToString()!;
        return Task.FromResult(
            nodes.TryGetActiveSilo(nodeId, out SiloAddress silo) && PlacementFallback.IsCompatible(silo, target, context)
                ? silo
                : PlacementFallback.Choose(target, context));
    }
}
