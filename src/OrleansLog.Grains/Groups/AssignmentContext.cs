namespace OrleansLog.Grains.Groups;

/// <summary>
/// What every assignor needs from its input, computed once: the members in <see cref="MemberOrder"/>, each
/// member's topic set, the subscribed topics in name order with their partitions, and an empty result with
/// an entry per member.
/// </summary>
internal sealed class AssignmentContext
{
    private readonly Dictionary<string, HashSet<string>> _topicsByMember = new(StringComparer.Ordinal);

    public AssignmentContext(IReadOnlyList<AssignorMember> members, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var sorted = new List<AssignorMember>(members);
        sorted.Sort(MemberOrder.Instance);
        Members = sorted;
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (AssignorMember member in sorted)
        {
            var set = new HashSet<string>(member.Topics, StringComparer.Ordinal);
            _topicsByMember.Add(member.MemberId, set);
            topics.UnionWith(set);
        }

        Topics = [.. topics];
        var partitions = new List<TopicPartition>();
        foreach (string topic in Topics)
        {
            int count = PartitionCount(partitionCounts, topic);
            for (int p = 0; p < count; p++)
            {
                partitions.Add(new TopicPartition(topic, p));
            }
        }

        Partitions = partitions;
        PartitionCounts = partitionCounts;
    }

    /// <summary>The members in <see cref="MemberOrder"/>.</summary>
    public IReadOnlyList<AssignorMember> Members { get; }

    /// <summary>Every topic some member subscribes to, in ordinal name order.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>Every partition of <see cref="Topics"/>, sorted by topic then partition.</summary>
    public IReadOnlyList<TopicPartition> Partitions { get; }

    public IReadOnlyDictionary<string, int> PartitionCounts { get; }

    public bool Subscribes(AssignorMember member, string topic) => _topicsByMember[member.MemberId].Contains(topic);

    /// <summary>True when <paramref name="partition"/> exists and <paramref name="member"/> subscribes to its topic.</summary>
    public bool MayOwn(AssignorMember member, TopicPartition partition) =>
        Subscribes(member, partition.Topic)
        && partition.Partition >= 0
        && partition.Partition < PartitionCount(PartitionCounts, partition.Topic);

    public Dictionary<string, List<TopicPartition>> EmptyResult()
    {
        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (AssignorMember member in Members)
        {
            result.Add(member.MemberId, []);
        }

        return result;
    }

    /// <summary>Sorts each member's partitions and hands the result out read-only.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Freeze(Dictionary<string, List<TopicPartition>> result)
    {
        var frozen = new Dictionary<string, IReadOnlyList<TopicPartition>>(result.Count, StringComparer.Ordinal);
        foreach ((string memberId, List<TopicPartition> partitions) in result)
        {
            partitions.Sort(TopicPartitionOrder.Instance);
            frozen.Add(memberId, partitions);
        }

        return frozen;
    }

    private static int PartitionCount(IReadOnlyDictionary<string, int> counts, string topic) =>
        counts.TryGetValue(topic, out int count) ? Math.Max(0, count) : 0;
}
