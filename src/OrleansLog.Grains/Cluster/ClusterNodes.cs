using Orleans.Runtime;

namespace OrleansLog.Grains.Cluster;

/// <summary>
/// Node ids ↔ silos, read from this silo's view of Orleans membership. Every OrleansLog silo names
/// itself after its node id (<c>SiloOptions.SiloName</c>, set by <c>AddOrleansLog</c>), so a member's
/// name is the node id that partition assignments refer to. A node restarted before its old generation
/// was declared dead shows up twice; the newest active generation is the node.
/// Thread-safe: reads an immutable membership snapshot.
/// </summary>
public sealed class ClusterNodes(IClusterMembershipService membership)
{
    /// <summary>The silo where node <paramref name="nodeId"/> runs now, if it is active in this silo's view.</summary>
    public bool TryGetActiveSilo(string nodeId, out SiloAddress silo)
    {
        SiloAddress? newest = null;
        foreach (ClusterMember member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active
                && string.Equals(member.Name, nodeId, StringComparison.Ordinal)
                && (newest is null || member.SiloAddress.Generation > newest.Generation))
            {
                newest = member.SiloAddress;
            }
        }

        silo = newest!;
        return newest is not null;
    }

    /// <summary>Whether node <paramref name="nodeId"/> is active in this silo's view of membership.</summary>
    public bool IsActive(string nodeId) => TryGetActiveSilo(nodeId, out _);

    /// <summary>The distinct node ids of active silos, in ordinal order (the broker list replica assignment works on).</summary>
    public IReadOnlyList<string> ActiveNodeIds()
    {
        var nodes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (ClusterMember member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active && !string.IsNullOrEmpty(member.Name))
            {
                nodes.Add(member.Name);
            }
        }

        return [.. nodes];
    }
}
