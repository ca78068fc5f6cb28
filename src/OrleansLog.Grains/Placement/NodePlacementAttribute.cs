using Orleans.Placement;

namespace OrleansLog.Grains.Placement;

/// <summary>Marks a grain keyed by a node id to be placed on that node by <see cref="NodePlacementDirector"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePlacementAttribute() : PlacementAttribute(NodePlacementStrategy.Instance);
