namespace OrleansLog.Grains.Replication;

/// <summary>
/// The rules for the leader's changes to the persisted replication record, as plain functions (the
/// partition grain only writes what they return, with the record's ETag): an ISR change, a hand-over to
/// another leader, and the two steps of an online reassignment (Kafka's: add the new replicas, let them
/// catch up, then drop the old ones and move leadership if the leader leaves). Each change bumps the
/// partition epoch; none changes its input.
/// </summary>
internal static class ReplicationRecordChanges
{
    /// <summary>The record with <paramref name="isr"/> as its ISR.</summary>
    public static PartitionReplicationState WithIsr(PartitionReplicationState stored, IReadOnlyList<string> isr)
    {
        PartitionReplicationState next = stored.Copy();
        next.Isr = [.. isr];
        next.PartitionEpoch++;
        return next;
    }

    /// <summary>
    /// After an ISR write whose outcome was unknown (the store failed), a retry's ETag conflict and the record
    /// read back tell what happened: true when the record is this leader's own write of the same ISR in the
    /// same epoch (the first attempt landed, only its answer was lost), so the change is committed; false when
    /// someone else wrote.
    /// </summary>
    public static bool IsOwnIsrWrite(PartitionReplicationState current, string leader, int leaderEpoch, IReadOnlyList<string> proposedIsr) =>
        current.Leader == leader && current.LeaderEpoch == leaderEpoch && current.Isr.SequenceEqual(proposedIsr, StringComparer.Ordinal);

    /// <summary>
    /// The leader <paramref name="leader"/>'s log failed (Kafka: its log directory went offline): it leaves
    /// the ISR, and the first other live in-sync replica is named the leader to place next (it holds every
    /// committed record). Null when no other in-sync replica is alive: the partition then waits for this one.
    /// </summary>
    public static PartitionReplicationState? LeaveAfterStorageFailure(PartitionReplicationState stored, string leader, Func<string, bool> isAlive)
    {
        string? successor = stored.Replicas.FirstOrDefault(r => r != leader && stored.Isr.Contains(r) && isAlive(r));
        if (successor is null)
        {
            return null;
        }

        PartitionReplicationState next = stored.Copy();
        next.Leader = successor;
        next.Isr = [.. stored.Isr.Where(r => r != leader)];
        next.PartitionEpoch++;
        return next;
    }

    /// <summary>The record naming <paramref name="successor"/> as the leader to place next.</summary>
    public static PartitionReplicationState HandOver(PartitionReplicationState stored, string successor)
    {
        PartitionReplicationState next = stored.Copy();
        next.Leader = successor;
        next.PartitionEpoch++;
        return next;
    }

    /// <summary>
    /// The first step of moving the partition to <paramref name="replicas"/>: the same nodes in a new order
    /// only change the preferred leader; other nodes are added beside the old ones and named as the target.
    /// Null with <paramref name="answer"/> set when nothing is to be written (invalid, already there, or
    /// another move running).
    /// </summary>
    public static PartitionReplicationState? StartReassignment(
        PartitionReplicationState stored, IReadOnlyList<string> replicas, string partition, out AdminResult answer)
    {
        answer = AdminResult.Ok;
        if (replicas.Count == 0 || replicas.Distinct(StringComparer.Ordinal).Count() != replicas.Count)
        {
            answer = AdminResult.Failure(ErrorCode.InvalidReplicaAssignment, $"{partition}: replicas must be distinct node ids, at least one, got [{string.Join(",", replicas)}]");
            return null;
        }

        if (stored.TargetReplicas is { } running)
        {
            if (!running.SequenceEqual(replicas))
            {
                answer = AdminResult.Failure(
                    ErrorCode.ReassignmentInProgress,
                    $"{partition}: a reassignment to [{string.Join(",", running)}] is running; it must finish first");
            }

            return null;
        }

        if (stored.Replicas.SequenceEqual(replicas))
        {
            return null;
        }

        PartitionReplicationState next = stored.Copy();
        next.PartitionEpoch++;
        if (stored.Replicas.Order(StringComparer.Ordinal).SequenceEqual(replicas.Order(StringComparer.Ordinal)))
        {
            // Same nodes in a new order: only the preferred leader changes; hand-over does the rest.
            next.Replicas = [.. replicas];
        }
        else
        {
            next.TargetReplicas = [.. replicas];
            next.Replicas = [.. replicas, .. stored.Replicas.Where(r => !replicas.Contains(r))];
        }

        return next;
    }

    /// <summary>
    /// The last step of a running move, once every target replica is in sync: the replica set becomes the
    /// target, the ISR its in-sync members (the leader <paramref name="leader"/> first when it stays), and
    /// leadership goes to the first target replica when the leader leaves. Null while not ready.
    /// </summary>
    public static PartitionReplicationState? CompleteReassignment(
        PartitionReplicationState stored, string leader, Func<string, bool> isInSync, out string[] removed)
    {
        removed = [];
        if (stored.TargetReplicas is not { } target || !target.All(isInSync))
        {
            return null;
        }

        removed = [.. stored.Replicas.Where(r => !target.Contains(r))];
        bool staying = target.Contains(leader);
        PartitionReplicationState next = stored.Copy();
        next.Replicas = target;
        next.Isr = staying
            ? [leader, .. target.Where(r => r != leader && isInSync(r))]
            : [.. target.Where(isInSync)];
        next.TargetReplicas = null;
        next.Leader = staying ? leader : target[0];
        next.PartitionEpoch++;
        return next;
    }
}
