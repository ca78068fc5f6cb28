namespace OrleansLog.Grains.Groups;

/// <summary>
/// Kafka's <c>RoundRobinAssignor</c>, exactly: every partition of every subscribed topic, sorted by topic
/// then partition, is dealt to the members in <see cref="MemberOrder"/> in turn, skipping members that do
/// not subscribe to the partition's topic. Eager.
/// </summary>
public sealed class RoundRobinAssignor : IPartitionAssignor
{
    public const string AssignorName = "roundrobin";

    public string Name => AssignorName;

    public bool IsCooperative => false;

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionCounts)
    {
        var context = new AssignmentContext(members, partitionCounts);
        Dictionary<string, List<TopicPartition>> result = context.EmptyResult();
        IReadOnlyList<AssignorMember> circle = context.Members;
        int next = 0;
        foreach (TopicPartition partition in context.Partitions)
        {
            // Some member subscribes to every topic in the context, so this finds one within a lap.
            while (!context.Subscribes(circle[next], partition.Topic))
            {
                next = (next + 1) % circle.Count;
            }

            result[circle[next].MemberId].Add(partition);
            next = (next + 1) % circle.Count;
        }

        return AssignmentContext.Freeze(result);
    }
}
