namespace OrleansLog.Groups;

/// <summary>A partition's progress in a group: committed offset (-1 if none), high watermark, and lag = HW − committed.</summary>
[GenerateSerializer, Immutable, Alias("olog.PartitionLag")]
public sealed record PartitionLag(
    [property: Id(0)] TopicPartition Partition,
    [property: Id(1)] long CommittedOffset,
    [property: Id(2)] long HighWatermark,
    [property: Id(3)] long Lag,
    [property: Id(4)] string? Owner);
