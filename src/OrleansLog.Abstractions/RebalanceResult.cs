namespace OrleansLog;

/// <summary>What <c>olog cluster rebalance</c> started: one move per partition whose replicas change.</summary>
/// <param name="Error">None, or why nothing was started.</param>
/// <param name="Message">Explains <paramref name="Error"/>.</param>
/// <param name="Moves">The reassignments started, in topic and partition order.</param>
[GenerateSerializer, Immutable, Alias("olog.RebalanceResult")]
public sealed record RebalanceResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] string? Message,
    [property: Id(2)] IReadOnlyList<ReplicaMove> Moves);

/// <summary>One partition's replicas before and after a rebalance, preferred leader first.</summary>
[GenerateSerializer, Immutable, Alias("olog.ReplicaMove")]
public sealed record ReplicaMove(
    [property: Id(0)] string Topic,
    [property: Id(1)] int Partition,
    [property: Id(2)] IReadOnlyList<string> From,
    [property: Id(3)] IReadOnlyList<string> To,
    [property: Id(4)] ErrorCode Error);
