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
}
