namespace OrleansLog;

/// <summary>
/// What a partition leader and a producer need to know of a topic: whether it exists, its partition
/// count and its typed configuration. Cheap to ask for; clients cache it for the metadata refresh interval.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.TopicMetadata")]
public sealed record TopicMetadata(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Exists,
    [property: Id(2)] int PartitionCount,
    [property: Id(3)] TopicConfig Config);
