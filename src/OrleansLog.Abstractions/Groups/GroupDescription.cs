namespace OrleansLog.Groups;

/// <summary>A consumer group: state, assignor, generation, members with their partitions, and lag per partition and in total.</summary>
[GenerateSerializer, Immutable, Alias("olog.GroupDescription")]
public sealed record GroupDescription(
    [property: Id(0)] string GroupId,
    [property: Id(1)] GroupState State,
    [property: Id(2)] string? Assignor,
    [property: Id(3)] int GenerationId,
    [property: Id(4)] IReadOnlyList<GroupMemberDescription> Members,
    [property: Id(5)] IReadOnlyList<PartitionLag> Offsets,
    [property: Id(6)] long TotalLag);
