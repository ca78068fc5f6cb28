namespace OrleansLog.Grains.Topics;

/// <summary>Durable state of a topic grain.</summary>
[GenerateSerializer, Alias("olog.TopicState")]
public sealed class TopicState
{
    [Id(0)] public bool Exists { get; set; }

    [Id(1)] public int PartitionCount { get; set; }

    [Id(2)] public TopicConfig Config { get; set; } = TopicConfig.Default;

    [Id(3)] public long CreatedAtMs { get; set; }

    /// <summary>
    /// Per partition, the node ids holding its log, preferred leader first. Replaced as a whole, never
    /// changed in place, so it can be handed out in <see cref="TopicMetadata"/> without a copy. Empty for
    /// topics created before assignments existed (their partitions are not bound to a node).
    /// </summary>
    [Id(4)] public string[][] ReplicaAssignment { get; set; } = [];

    /// <summary>Kafka's topic id: new at every creation, so a re-created topic is never mistaken for the deleted one; empty for topics from before ids.</summary>
    [Id(5)] public Guid TopicId { get; set; }
}
