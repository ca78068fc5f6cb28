using Orleans.Placement;

namespace OrleansLog.Grains.Placement;

/// <summary>Marks a grain keyed <c>"{topic}/{partition}"</c> to be placed by <see cref="PartitionPlacementDirector"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class PartitionPlacementAttribute() : PlacementAttribute(PartitionPlacementStrategy.Instance);
