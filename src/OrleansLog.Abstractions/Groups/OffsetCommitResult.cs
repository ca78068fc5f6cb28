namespace OrleansLog.Groups;

/// <summary>
/// Answer to OffsetCommit: a request-level error (IllegalGeneration, UnknownMemberId, RebalanceInProgress,
/// FencedInstanceId — then nothing was committed) or per-partition results (UnknownTopicOrPartition for a
/// partition that does not exist, OffsetMetadataTooLarge).
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.OffsetCommitResult")]
public sealed record OffsetCommitResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] string? Message,
    [property: Id(2)] IReadOnlyList<PartitionError> Partitions);
