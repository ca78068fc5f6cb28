namespace OrleansLog.Groups;

/// <summary>A committed offset as OffsetFetch returns it: -1 when the group has none for the partition.</summary>
[GenerateSerializer, Immutable, Alias("olog.CommittedOffset")]
public sealed record CommittedOffset(
    [property: Id(0)] TopicPartition Partition,
    [property: Id(1)] long Offset,
    [property: Id(2)] string? Metadata,
    [property: Id(3)] long CommitTimestampMs);
