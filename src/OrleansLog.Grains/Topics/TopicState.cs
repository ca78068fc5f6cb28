namespace OrleansLog.Grains.Topics;

/// <summary>Durable state of a topic grain.</summary>
[GenerateSerializer, Alias("olog.TopicState")]
public sealed class TopicState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public int PartitionCount { get; set; }

    [Id(2)] public TopicConfig Config { get; set; } = TopicConfig.Default;

    [Id(3)] public long CreatedAtMs { get; set; }
}
