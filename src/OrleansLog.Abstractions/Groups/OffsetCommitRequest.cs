namespace OrleansLog.Groups;

/// <summary>
/// Kafka OffsetCommit. Members commit with their member id and generation; a consumer outside any
/// group commits with an empty member id and generation -1, which Kafka allows only while the group
/// has no members.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.OffsetCommitRequest")]
public sealed record OffsetCommitRequest(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? GroupInstanceId,
    [property: Id(2)] int GenerationId,
    [property: Id(3)] IReadOnlyList<OffsetCommitEntry> Offsets);
