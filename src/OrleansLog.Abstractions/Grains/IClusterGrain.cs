namespace OrleansLog.Grains;

/// <summary>
/// The cluster as a whole (<c>olog cluster describe</c>): every node in Orleans membership with its
/// status, silo address and uptime, and each active node's own report (<see cref="INodeGrain"/>).
/// Stateless; key <see cref="Key"/>.
/// </summary>
[Alias("olog.IClusterGrain")]
public interface IClusterGrain : IGrainWithStringKey
{
    public const string Key = "cluster";

    [Alias("describe")]
    Task<ClusterDescription> DescribeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Spreads every topic's replicas and preferred leaders evenly over the live nodes (e.g. after a node
    /// joined), Kafka's rack-unaware assignment with the topic's replication factor, keeping replicas that
    /// may stay where they are. Starts a reassignment for each partition whose replicas change; returns the moves.
    /// </summary>
    [Alias("rebalance")]
    Task<RebalanceResult> RebalanceAsync(CancellationToken cancellationToken = default);
}
