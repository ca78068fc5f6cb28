namespace OrleansLog.Grains.Groups;

/// <summary>
/// Computes a group's assignment on the coordinator (as Kafka's KIP-848 server-side assignors do). Register
/// more with <c>services.AddSingleton&lt;IPartitionAssignor, MyAssignor&gt;()</c>; a group uses the first
/// assignor in its leader's preference list that every member supports.
/// </summary>
public interface IPartitionAssignor
{
    /// <summary>The name members list in JoinGroup, as in Kafka (<c>range</c>, <c>roundrobin</c>, ...).</summary>
    string Name { get; }

    /// <summary>
    /// True for the incremental cooperative protocol (KIP-429): members keep consuming while they rejoin,
    /// so the coordinator never gives a partition to one member while another still reports owning it,
    /// and it runs a follow-up rebalance once the owner has let go.
    /// </summary>
    bool IsCooperative { get; }

    /// <summary>
    /// The assignment of one generation: an entry for every member (possibly empty), each list sorted by
    /// topic then partition, no partition twice, only partitions of topics the member subscribes to.
    /// An eager assignor assigns every partition of every subscribed topic. Must be deterministic: the
    /// same input gives the same output.
    /// </summary>
    /// <param name="members">The members of the new generation, in no particular order.</param>
    /// <param name="partitionCounts">Partition count of every subscribed topic; a topic that does not exist has 0 or is absent.</param>
    IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> Assign(
        IReadOnlyList<AssignorMember> members,
        IReadOnlyDictionary<string, int> partitionCounts);
}
