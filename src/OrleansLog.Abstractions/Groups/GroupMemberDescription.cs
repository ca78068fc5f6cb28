namespace OrleansLog.Groups;

/// <summary>One member as <c>olog groups describe</c> shows it.</summary>
[GenerateSerializer, Immutable, Alias("olog.GroupMemberDescription")]
public sealed record GroupMemberDescription(
    [property: Id(0)] string MemberId,
    [property: Id(1)] string? GroupInstanceId,
    [property: Id(2)] string ClientId,
    [property: Id(3)] IReadOnlyList<TopicPartition> Assignment);
