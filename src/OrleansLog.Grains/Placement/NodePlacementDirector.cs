using Microsoft.Extensions.Logging;
using Orleans.Runtime.Placement;
using OrleansLog.Grains.Cluster;

namespace OrleansLog.Grains.Placement;

/// <summary>
/// Puts a grain keyed by a node id (or by <c>"{anything}@{node id}"</c>, like a follower replica) on the silo of that node; when the node is not active, on
/// <see cref="PlacementFallback"/> (the grain then reports that its node is unavailable).
/// </summary>
internal sealed partial class NodePlacementDirector(ClusterNodes nodes, ILogger<NodePlacementDirector> logger) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        string nodeId = key[(key.LastIndexOf('@') + 1)..];
        if (!nodes.TryGetActiveSilo(nodeId, out SiloAddress silo))
        {
            return Task.FromResult(PlacementFallback.Choose(target, context));
        }

        if (!PlacementFallback.IsCompatible(silo, target, context))
        {
            SiloAddress fallback = PlacementFallback.Choose(target, context);
            LogNodeNotCompatible(logger, target.GrainIdentity.ToString(), nodeId, silo, fallback);
            return Task.FromResult(fallback);
        }

        return Task.FromResult(silo);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Placement of {Grain}: node {Node} is active on {Silo} but not yet known to host the grain type here; placing it on {Fallback}")]
    private static partial void LogNodeNotCompatible(ILogger logger, string grain, string node, SiloAddress silo, SiloAddress fallback);
}
