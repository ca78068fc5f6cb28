namespace OrleansLog.Grains.Groups;

/// <summary>
/// Kafka's <c>RangeAssignor</c>, exactly: per topic, the subscribed members in <see cref="MemberOrder"/>
/// get contiguous ranges of the partitions in order; with n partitions and m members each gets n / m, and
/// the first n % m members one more. Eager.
/// </summary>
public sealed class RangeAssignor : IPartitionAssignor
{
    public const string AssignorName = "range";

    public string Name => AssignorName;

    public bool IsCooperative => false;

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionCounts)
    {
        var context = new AssignmentContext(members, partitionCounts);
        Dictionary<string, List<TopicPartition>> result = context.EmptyResult();
        var subscribers = new List<AssignorMember>();
        foreach (string topic in context.Topics)
        {
            subscribers.Clear();
            foreach (AssignorMember member in context.Members)
            {
                if (context.Subscribes(member, topic))
                {
                    subscribers.Add(member);
                }
            }

            int partitions = partitionCounts.TryGetValue(topic, out int count) ? Math.Max(0, count) : 0;
            int perMember = partitions / subscribers.Count;
            int withExtra = partitions % subscribers.Count;
            for (int i = 0; i < subscribers.Count; i++)
            {
                int start = (perMember * i) + Math.Min(i, withExtra);
                int length = perMember + (i < withExtra ? 1 : 0);
                List<TopicPartition> owned = result[subscribers[i].MemberId];
                for (int p = start; p < start + length; p++)
                {
                    owned.Add(new TopicPartition(topic, p));
                }
            }
        }

        return AssignmentContext.Freeze(result);
    }
}
