namespace OrleansLog.Groups;

/// <summary>
/// Kafka JoinGroup for a consumer: who the member is, what it subscribes to, which assignors it
/// supports (preference order) and, for cooperative rebalancing, the partitions it owns now.
/// <see cref="MemberId"/> is empty for a new member; the coordinator assigns one.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.JoinGroupRequest")]
public sealed record JoinGroupRequest(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? GroupInstanceId,
    [property: Id(2)] string ClientId,
    [property: Id(3)] int SessionTimeoutMs,
    [property: Id(4)] int RebalanceTimeoutMs,
    [property: Id(5)] IReadOnlyList<string> Topics,
    [property: Id(6)] IReadOnlyList<string> Assignors,
    [property: Id(7)] IReadOnlyList<TopicPartition> OwnedPartitions);
