namespace OrleansLog;

/// <summary>The cluster's nodes, newest silo generation per node id, ordered by node id.</summary>
/// <param name="ClusterId">The Orleans cluster id the silos share.</param>
/// <param name="ObservedAtMs">When the description was taken (Unix ms), the reference for uptimes.</param>
[GenerateSerializer, Immutable, Alias("olog.ClusterDescription")]
public sealed record ClusterDescription(
    [property: Id(0)] string ClusterId,
    [property: Id(1)] long ObservedAtMs,
    [property: Id(2)] IReadOnlyList<NodeDescription> Nodes);
