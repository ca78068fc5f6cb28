namespace OrleansLog.Groups;

/// <summary>
/// Answer to JoinGroup, given once the join phase of the rebalance completes: the member's id, the new
/// generation, the assignor chosen (one every member supports) and the leader. Errors as Kafka:
/// UnknownMemberId, FencedInstanceId, InconsistentGroupProtocol, InvalidSessionTimeout, GroupMaxSizeReached.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.JoinGroupResult")]
public sealed record JoinGroupResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] string? Message,
    [property: Id(2)] string MemberId,
    [property: Id(3)] int GenerationId,
    [property: Id(4)] string? Assignor,
    [property: Id(5)] string? LeaderId);
