namespace OrleansLog;

/// <summary>
/// A follower node's fetch from one leader node, for every partition it follows there (Kafka's replica
/// fetcher: one request per source broker).
/// </summary>
/// <param name="FollowerNodeId">The node fetching.</param>
/// <param name="MaxWaitMs">How long the leader may wait for new records in any of the partitions.</param>
/// <param name="MaxBytes">The most bytes in the whole answer.</param>
/// <param name="Partitions">The partitions, each with its fetch offset.</param>
[GenerateSerializer, Immutable, Alias("olog.NodeFetchRequest")]
public sealed record NodeFetchRequest(
    [property: Id(0)] string FollowerNodeId,
    [property: Id(1)] int MaxWaitMs,
    [property: Id(2)] int MaxBytes,
    [property: Id(3)] IReadOnlyList<PartitionFetch> Partitions);
