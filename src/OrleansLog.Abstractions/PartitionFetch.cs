namespace OrleansLog;

/// <summary>One partition of a follower node's fetch: where its copy ends and the leader epoch it follows.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="LeaderEpoch">The newest leader epoch the follower knows (a leader of another epoch refuses).</param>
/// <param name="FetchOffset">The follower copy's log end offset: what it has, and where to continue.</param>
/// <param name="MaxBytes">The most bytes of this partition in the answer.</param>
[GenerateSerializer, Immutable, Alias("olog.PartitionFetch")]
public sealed record PartitionFetch(
    [property: Id(0)] TopicPartition Partition,
    [property: Id(1)] int LeaderEpoch,
    [property: Id(2)] long FetchOffset,
    [property: Id(3)] int MaxBytes);
