namespace OrleansLog.Groups;

/// <summary>
/// Answer to SyncGroup: the partitions this member owns in <see cref="GenerationId"/>. The coordinator
/// computes assignments itself (as Kafka's KIP-848 protocol does) with the group's assignor. With the
/// cooperative assignor a partition that moves is first revoked by its old owner and appears here only
/// in a following generation. Errors: RebalanceInProgress, IllegalGeneration, UnknownMemberId, FencedInstanceId.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.SyncGroupResult")]
public sealed record SyncGroupResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] string? Message,
    [property: Id(2)] int GenerationId,
    [property: Id(3)] IReadOnlyList<TopicPartition> Assignment);
