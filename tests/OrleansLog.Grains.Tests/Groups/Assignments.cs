using OrleansLog.Grains.Groups;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>Short ways to build assignor input and to read its output in tests.</summary>
internal static class Assignments
{
    public static AssignorMember Member(string id, string[] topics, TopicPartition[]? previous = null, TopicPartition[]? owned = null, string? instanceId = null) =>
        new(id, instanceId, topics, previous ?? [], owned ?? []);

    public static Dictionary<string, int> Counts(params (string Topic, int Partitions)[] topics) =>
        topics.ToDictionary(t => t.Topic, t => t.Partitions);

    public static TopicPartition Tp(string topic, int partition) => new(topic, partition);

    /// <summary>An assignment as "topic-partition" strings per member, for compact exact assertions.</summary>
    public static string[] Names(IReadOnlyList<TopicPartition> partitions) => [.. partitions.Select(p => p.ToString())];
}
