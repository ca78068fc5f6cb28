namespace OrleansLog;

/// <summary>A topic's name, effective configuration (every key, defaults filled in) and partitions.</summary>
[GenerateSerializer, Immutable, Alias("olog.TopicDescription")]
public sealed record TopicDescription(
    [property: Id(0)] string Name,
    [property: Id(1)] IReadOnlyDictionary<string, string> Config,
    [property: Id(2)] IReadOnlyList<PartitionDescription> Partitions);
