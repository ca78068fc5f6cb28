namespace OrleansLog.Grains;

/// <summary>
/// One node's own report: partitions it leads and holds, disk used. Key: the node id. Pinned to the
/// silo whose node id is the key, so it always reads that node's disk; a call for a node that is not
/// active answers with <see cref="NodeDescription.Error"/> set rather than reporting another node's disk.
/// </summary>
[Alias("olog.INodeGrain")]
public interface INodeGrain : IGrainWithStringKey
{
    [Alias("describe")]
    Task<NodeDescription> DescribeAsync(CancellationToken cancellationToken = default);
}
