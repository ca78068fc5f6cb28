namespace OrleansLog;

/// <summary>
/// What a partition leader and a producer need to know of a topic: whether it exists, its partition
/// count and its typed configuration. Cheap to ask for; clients cache it for the metadata refresh interval.
/// </summary>
/// <param name="ReplicaAssignment">
/// Per partition, the node ids that hold a copy of its log, preferred leader first (Kafka's replica
/// assignment). Null or shorter than <paramref name="PartitionCount"/> for topics created before
/// assignments existed: such partitions are not bound to a node and serve wherever they activate.
/// A deleted topic keeps its assignment until its partitions' data is removed, so the removal reaches
/// the nodes that hold it.
/// </param>
/// <param name="TopicId">
/// Kafka's topic id, new at every creation: a node's partition directory of an earlier topic of the same
/// name (deleted while that node was down) is recognised by it and never served. Empty for topics created
/// before ids existed.
/// </param>
[GenerateSerializer, Immutable, Alias("olog.TopicMetadata")]
public sealed record TopicMetadata(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Exists,
    [property: Id(2)] int PartitionCount,
    [property: Id(3)] TopicConfig Config,
    [property: Id(4)] IReadOnlyList<IReadOnlyList<string>>? ReplicaAssignment = null,
    [property: Id(5)] Guid TopicId = default)
{
    /// <summary>The node ids holding <paramref name="partition"/>, preferred leader first; empty when it is not bound to nodes.</summary>
    public IReadOnlyList<string> ReplicasOf(int partition) =>
        ReplicaAssignment is { } assignment && partition >= 0 && partition < assignment.Count ? assignment[partition] : [];
}
