namespace OrleansLog.Grains.Groups;

/// <summary>
/// Kafka's <c>StickyAssignor</c> (KIP-54), computed on the coordinator: balanced, and keeping each member's
/// partitions from the previous generation as far as balance allows (see <see cref="StickyBalancer"/>).
/// Eager: every partition is assigned in every generation, so members give up all partitions before they
/// rejoin; the coordinator's own record of the previous assignment is the base, because eager members
/// report owning nothing.
/// </summary>
public sealed class StickyAssignor : IPartitionAssignor
{
    public const string AssignorName = "sticky";

    public string Name => AssignorName;

    public bool IsCooperative => false;

    public IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionCounts)
    {
        var context = new AssignmentContext(members, partitionCounts);
        return AssignmentContext.Freeze(StickyBalancer.Assign(context, static m => m.PreviousAssignment));
    }
}
