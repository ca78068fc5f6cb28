namespace OrleansLog.Groups;

/// <summary>One partition's offset to commit: the next offset to consume, with an optional metadata string.</summary>
[GenerateSerializer, Immutable, Alias("olog.OffsetCommitEntry")]
public sealed record OffsetCommitEntry(
    [property: Id(0)] TopicPartition Partition,
    [property: Id(1)] long Offset,
    [property: Id(2)] string? Metadata);
