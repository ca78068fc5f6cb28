namespace OrleansLog.Grains.Placement;

/// <summary>
/// Places a grain keyed by a node id on that node (see <see cref="NodePlacementDirector"/>), for
/// per-node reports that must read that node's disk.
/// </summary>
public sealed class NodePlacementStrategy : PlacementStrategy
{
    internal static readonly NodePlacementStrategy Instance = new();
}
