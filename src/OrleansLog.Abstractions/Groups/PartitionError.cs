namespace OrleansLog.Groups;

/// <summary>Per-partition outcome of a request that touches several partitions.</summary>
[GenerateSerializer, Immutable, Alias("olog.PartitionError")]
public sealed record PartitionError(
    [property: Id(0)] TopicPartition Partition,
    [property: Id(1)] ErrorCode Error,
    [property: Id(2)] string? Message);
