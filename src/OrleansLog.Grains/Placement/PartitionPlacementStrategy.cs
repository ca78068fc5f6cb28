namespace OrleansLog.Grains.Placement;

/// <summary>
/// Places a partition grain on the node that holds the partition's log (see
/// <see cref="PartitionPlacementDirector"/>). Registered with <c>AddOrleansLog</c> on every silo.
/// </summary>
public sealed class PartitionPlacementStrategy : PlacementStrategy
{
    internal static readonly PartitionPlacementStrategy Instance = new();
}
