namespace OrleansLog.Grains.Replication;

/// <summary>
/// Who leads a partition, decided from its persisted record and the live nodes (Kafka's
/// <c>PartitionLeaderElectionAlgorithms</c>), pure so that the placement director and the activation agree:
/// <list type="number">
/// <item>the recorded leader, while it is alive and in sync (no needless moves);</item>
/// <item>else the first live in-sync replica in replica order, so the preferred leader wins when it can;</item>
/// <item>else, only with unclean.leader.election.enable, the first live replica (it may lack acknowledged
/// records); without it, nobody: the partition stays unavailable rather than lose data.</item>
/// </list>
/// </summary>
public static class LeaderElection
{
    /// <summary>The node that should lead, or null when no eligible replica is alive.</summary>
    public static string? Choose(PartitionReplicationState stored, IReadOnlyList<string> assignedReplicas, Func<string, bool> isAlive, bool uncleanAllowed)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(isAlive);
        IReadOnlyList<string> replicas = stored.IsInitialized ? stored.Replicas : assignedReplicas;
        IReadOnlyList<string> isr = stored.IsInitialized ? stored.Isr : assignedReplicas;
        if (stored.Leader is { } leader && isr.Contains(leader) && isAlive(leader))
        {
            return leader;
        }

        foreach (string replica in replicas)
        {
            if (isr.Contains(replica) && isAlive(replica))
            {
                return replica;
            }
        }

        if (uncleanAllowed)
        {
            foreach (string replica in replicas)
            {
                if (isAlive(replica))
                {
                    return replica;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The record <paramref name="me"/> writes to take office: a leader epoch above both the stored one and
    /// any epoch already in its log, and an ISR of the in-sync replicas that are alive (a dead node cannot
    /// acknowledge; it rejoins once it has caught up), leader first, then replica order. Under an unclean
    /// election the ISR restarts from the new leader alone.
    /// </summary>
    public static PartitionReplicationState TakeOffice(
        PartitionReplicationState stored, IReadOnlyList<string> assignedReplicas, string me, int latestLogEpoch, Func<string, bool> isAlive)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(isAlive);
        string[] replicas = stored.IsInitialized ? stored.Replicas : [.. assignedReplicas];
        IReadOnlyList<string> isr = stored.IsInitialized ? stored.Isr : assignedReplicas;
        if (!replicas.Contains(me))
        {
            throw new InvalidOperationException($"node {me} is not a replica [{string.Join(",", replicas)}] and cannot lead");
        }

        var nextIsr = new List<string>(replicas.Length) { me };
        if (isr.Contains(me))
        {
            foreach (string replica in replicas)
            {
                if (replica != me && isr.Contains(replica) && isAlive(replica))
                {
                    nextIsr.Add(replica);
                }
            }
        }

        return new PartitionReplicationState
        {
            Leader = me,
            LeaderEpoch = Math.Max(stored.LeaderEpoch, latestLogEpoch) + 1,
            Replicas = replicas,
            Isr = [.. nextIsr],
            PartitionEpoch = stored.PartitionEpoch + 1,
            TargetReplicas = stored.TargetReplicas,
        };
    }
}
