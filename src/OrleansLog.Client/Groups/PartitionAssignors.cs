namespace OrleansLog.Client;

/// <summary>
/// Kafka's names of the assignors a consumer can list in <see cref="ConsumerOptions.PartitionAssignmentStrategy"/>.
/// The coordinator computes assignments itself; the consumer only needs to know which protocol the chosen
/// assignor follows.
/// </summary>
public static class PartitionAssignors
{
    /// <summary>Per topic, contiguous ranges of partitions (Kafka's RangeAssignor). Eager.</summary>
    public const string Range = "range";

    /// <summary>Partitions dealt out one by one (Kafka's RoundRobinAssignor). Eager.</summary>
    public const string RoundRobin = "roundrobin";

    /// <summary>Balanced with minimal movement (Kafka's StickyAssignor, KIP-54). Eager.</summary>
    public const string Sticky = "sticky";

    /// <summary>Sticky with incremental cooperative rebalancing (KIP-429): only partitions that move are revoked.</summary>
    public const string CooperativeSticky = "cooperative-sticky";

    /// <summary>
    /// True when the assignor follows the cooperative protocol: members keep their partitions while they
    /// rejoin, and a partition that moves is revoked by its owner before it is given to another member.
    /// Every other assignor is eager: members give up all partitions before they rejoin.
    /// </summary>
    public static bool IsCooperative(string? assignor) => string.Equals(assignor, CooperativeSticky, StringComparison.Ordinal);
}
