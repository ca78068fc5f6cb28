namespace OrleansLog.Grains;

/// <summary>
/// A node's answerer of follower fetches (key: the node id; placed on that node): serves one follower
/// node's fetch for all the partitions it follows that this node leads, in one call.
/// </summary>
[Alias("olog.IReplicaManagerGrain")]
public interface IReplicaManagerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Answers every partition of <paramref name="request"/>; waits up to its MaxWaitMs while none has records
    /// past its fetch offset (and none failed).
    /// </summary>
    [Alias("fetch")]
    Task<NodeFetchResponse> FetchAsync(NodeFetchRequest request, CancellationToken cancellationToken = default);
}
