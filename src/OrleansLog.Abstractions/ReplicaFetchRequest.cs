namespace OrleansLog;

/// <summary>
/// A follower's fetch from its leader (Kafka Fetch with a replica id). The fetch offset is the follower's
/// log end offset, so every fetch also tells the leader how far the follower has come.
/// </summary>
/// <param name="NodeId">The follower's node id; the leader refuses nodes that are not replicas.</param>
/// <param name="LeaderEpoch">The newest leader epoch the follower knows; the leader refuses a different one.</param>
/// <param name="FetchOffset">The follower's log end offset: the first offset it wants.</param>
/// <param name="MaxBytes">Soft byte limit of the answer (the first batch is always whole).</param>
/// <param name="MaxWaitMs">Long poll: how long the leader may wait for new records.</param>
[GenerateSerializer, Immutable, Alias("olog.ReplicaFetchRequest")]
public sealed record ReplicaFetchRequest(
    [property: Id(0)] string NodeId,
    [property: Id(1)] int LeaderEpoch,
    [property: Id(2)] long FetchOffset,
    [property: Id(3)] int MaxBytes,
    [property: Id(4)] int MaxWaitMs);
