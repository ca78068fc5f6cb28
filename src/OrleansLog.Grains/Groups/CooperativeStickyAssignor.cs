namespace OrleansLog.Grains.Groups;

/// <summary>
/// Kafka's <c>CooperativeStickyAssignor</c> (KIP-429): the sticky target computed from the partitions the
/// members report owning, minus every partition that would move. A partition moving from A to B is left
/// out of both in this generation: A's assignment no longer has it, so A revokes it; B gets it only in a
/// follow-up generation, after A rejoined without it (or left). Partitions that stay keep flowing through
/// the whole rebalance. The coordinator starts that follow-up itself once every member has synced.
/// </summary>
public sealed class CooperativeStickyAssignor : IPartitionAssignor
{
    public const string AssignorName = "cooperative-sticky";

    public string Name => AssignorName;

    public bool IsCooperative => true;

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionCounts)
    {
        var context = new AssignmentContext(members, partitionCounts);
        Dictionary<string, List<TopicPartition>> target = StickyBalancer.Assign(context, static m => m.OwnedPartitions);

        var claimedBy = new Dictionary<TopicPartition, List<string>>();
        foreach (AssignorMember member in context.Members)
        {
            foreach (TopicPartition partition in member.OwnedPartitions)
            {
                if (!claimedBy.TryGetValue(partition, out List<string>? owners))
                {
                    owners = [];
                    claimedBy.Add(partition, owners);
                }

                owners.Add(member.MemberId);
            }
        }

        foreach ((string memberId, List<TopicPartition> partitions) in target)
        {
            partitions.RemoveAll(p => claimedBy.TryGetValue(p, out List<string>? owners) && owners.Exists(o => o != memberId));
        }

        return AssignmentContext.Freeze(target);
    }
}
