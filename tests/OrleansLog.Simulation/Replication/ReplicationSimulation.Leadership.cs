using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;

namespace OrleansLog.Simulation.Replication;

/// <summary>
/// The partition grain's part, step by step as <c>PartitionGrain</c> does it: election and taking office
/// through the record's ETag, persisting ISR changes, stepping down; and the node supervisor's.
/// </summary>
internal sealed partial class ReplicationSimulation
{
    /// <summary>A call reaches the partition: placement activates it on the node the election picks.</summary>
    private string? ElectOnCall()
    {
        PartitionReplicationState stored = _store.Read();
        string? chosen = LeaderElection.Choose(stored, Replicas, IsAliveInView, uncleanAllowed: false);
        if (chosen is null || _nodes[chosen] is not { Up: true, Leading: false } node)
        {
            return null;
        }

        return TakeOffice(node);
    }

    /// <summary>
    /// The node's supervisor: a copy that is not the leader follows the recorded leader; the recorded
    /// leader's node, not leading, activates the partition (which runs the election).
    /// </summary>
    private string? Supervise()
    {
        SimulatedNode[] up = UpNodes;
        if (up.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(up);
        PartitionReplicationState stored = _store.Read();
        if (node.Leading)
        {
            return null;
        }

        if (stored.Leader == node.Id)
        {
            return TakeOffice(node);
        }

        if (stored.Leader is { } leader && stored.LeaderEpoch >= 0)
        {
            return $"{node.Id} supervisor: {Follow(node, stored.LeaderEpoch, leader)}";
        }

        return null;
    }

    /// <summary><c>PartitionGrain.TakeOfficeAsync</c>: stop the local follower, write the new epoch with the ETag, lead.</summary>
    private string TakeOffice(SimulatedNode node)
    {
        node.State = _store.Read();
        node.Etag = _store.Version;
        PartitionReplicationState stored = node.State;
        string? chosen = LeaderElection.Choose(stored, Replicas, IsAliveInView, uncleanAllowed: false);
        if (chosen != node.Id)
        {
            return $"{node.Id} activation: the election picks {chosen ?? "nobody"}";
        }

        int tentative = stored.LeaderEpoch + 1;
        StopFollowing(node, tentative);
        if (node.Fence.LatestEpoch > tentative)
        {
            return $"{node.Id} cannot take office: its replica follows epoch {node.Fence.LatestEpoch}, newer than {stored.LeaderEpoch}";
        }

        if (!TryOpenCopy(node))
        {
            node.Fence.Withdraw(tentative);
            return $"{node.Id} cannot take office: its log does not open";
        }

        Partition copy = node.Copy!;
        PartitionReplicationState next = LeaderElection.TakeOffice(stored, Replicas, node.Id, copy.Log.LeaderEpochCache.LatestEpoch, IsAliveInView);
        StoreWriteOutcome outcome = TryWriteRecord(node, next);
        if (outcome != StoreWriteOutcome.Written)
        {
            node.Fence.Withdraw(tentative);
            if (node.State is { Leader: { } winner } current && winner != node.Id)
            {
                Follow(node, current.LeaderEpoch, winner);
            }

            return $"{node.Id} could not take office in epoch {next.LeaderEpoch}: {outcome}";
        }

        _elections++;
        copy.BecomeLeader(next.ToLeaderAndIsr(), new SimulatedLeaderHost(this, node, copy));
        foreach (string replica in next.Replicas)
        {
            if (replica != node.Id && IsAliveInView(replica))
            {
                SendFollow(node, _nodes[replica], next.LeaderEpoch);
            }
        }

        if (TraceTo is not null)
        {
            Trace($"{node.Id}'s log: {string.Join(" ", copy.Log.ReadBatchHeaders(copy.Log.LogStartOffset).Select(h => $"{h.BaseOffset}:{h.Crc:x8}:p{h.ProducerId}s{h.BaseSequence}e{h.PartitionLeaderEpoch}"))}; producer state from snapshot {copy.ProducerStateLoad.SnapshotOffset}");
        }

        return $"{node.Id} takes office: epoch {next.LeaderEpoch}, ISR [{string.Join(",", next.Isr)}], log end {copy.Log.LogEndOffset}, HW {copy.HighWatermark}";
    }

    /// <summary><c>ReplicationRecordStore.TryWriteAsync</c> and <c>LeaderTerm</c>'s reaction to it, outcome by outcome.</summary>
    private StoreWriteOutcome TryWriteRecord(SimulatedNode node, PartitionReplicationState next)
    {
        PartitionReplicationState? previous = node.State;
        int roll = _faultsOff ? 100 : _random.Next(100);
        StoreWriteOutcome fault = roll < 4 ? StoreWriteOutcome.Failed : roll < 7 ? StoreWriteOutcome.Ambiguous : StoreWriteOutcome.Written;
        StoreWriteOutcome outcome = _store.Write(node.Etag, next, fault);
        switch (outcome)
        {
            case StoreWriteOutcome.Written:
                node.State = next;
                node.Etag = _store.Version;
                node.Stored = next;
                break;

            case StoreWriteOutcome.Conflict:
                node.State = _store.Read();
                node.Etag = _store.Version;
                if (node.Leading && node.Copy is { } leading && (node.State.LeaderEpoch > leading.LeaderEpoch || node.State.Leader != node.Id))
                {
                    StepDown(node, $"a newer leader took office: {node.State}");
                }

                break;

            default:
                node.State = previous;
                break;
        }

        return outcome;
    }

    /// <summary>The leader's replication timer: the periodic check (lag, dead members), then a pending ISR change is persisted.</summary>
    private string? TickLeader()
    {
        SimulatedNode[] leaders = [.. _nodes.Values.Where(n => n.Leading)];
        if (leaders.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(leaders);
        if (node.Copy!.Log.IsFailed)
        {
            LeaveAfterStorageFailure(node, node.Copy, "found failed by the replication timer");
            return $"{node.Id} leader tick: its log failed";
        }

        node.Copy.Tick(IsAliveInView);
        string persisted = node.Copy.Replication?.PendingIsrProposal is not null ? PersistIsr(node) : "no ISR change";
        return $"{node.Id} leader tick: ISR [{string.Join(",", node.Copy.Replication?.Isr ?? [])}], HW {node.Copy.HighWatermark}; {persisted}";
    }

    /// <summary><c>LeaderTerm.PersistIsrAsync</c>.</summary>
    private string PersistIsr(SimulatedNode node)
    {
        if (!node.Leading || node.Copy!.Replication?.PendingIsrProposal is not { } proposal)
        {
            return "no pending ISR change";
        }

        Partition copy = node.Copy;
        PartitionReplicationState next = ReplicationRecordChanges.WithIsr(node.Stored!, proposal.Isr);
        StoreWriteOutcome outcome = TryWriteRecord(node, next);
        switch (outcome)
        {
            case StoreWriteOutcome.Written:
                break;

            case StoreWriteOutcome.Failed or StoreWriteOutcome.Ambiguous:
                return $"ISR [{string.Join(",", proposal.Isr)}] outcome unknown ({outcome}): kept pending";

            default:
                if (!node.Leading || !ReplicationRecordChanges.IsOwnIsrWrite(node.State!, node.Id, copy.LeaderEpoch, proposal.Isr))
                {
                    copy.AbortIsr(proposal);
                    return $"ISR [{string.Join(",", proposal.Isr)}] not persisted: {outcome}";
                }

                node.Stored = node.State;
                next = node.State!;
                break;
        }

        copy.CommitIsr(proposal, next.PartitionEpoch);
        return $"ISR [{string.Join(",", proposal.Isr)}] persisted (partition epoch {next.PartitionEpoch})";
    }

    /// <summary><c>LeaderTerm.LeaveAfterStorageFailureAsync</c>: the leading copy's log failed.</summary>
    private void LeaveAfterStorageFailure(SimulatedNode node, Partition copy, string reason)
    {
        if (!node.Leading || !ReferenceEquals(node.Copy, copy) || !copy.Log.IsFailed)
        {
            return;
        }

        if (node.Stored is { Replicas.Length: > 1 } stored && ReplicationRecordChanges.LeaveAfterStorageFailure(stored, node.Id, IsAliveInView) is { } next)
        {
            Trace($"{node.Id} names {next.Leader} leader after its log failed: {TryWriteRecord(node, next)}");
        }

        StepDown(node, $"its log failed: {reason}");
        CloseFailedCopy(node, copy, reason);
    }

    /// <summary><c>LeaderTerm.StepDown</c>: resign; the activation goes away.</summary>
    private void StepDown(SimulatedNode node, string reason)
    {
        node.Copy?.Resign(ErrorCode.NotLeaderOrFollower, reason);
        node.Stored = null;
        Trace($"{node.Id} steps down: {reason}");
    }

    /// <summary>After each step: a node whose copy stopped leading (deposed, fenced, made follower) is no longer the grain's leader.</summary>
    private void TrackLeaders()
    {
        foreach (SimulatedNode node in _nodes.Values)
        {
            if (node.Up && node.Stored is not null && node.Copy is { Role: not PartitionRole.Leader })
            {
                StepDown(node, "its copy no longer leads");
            }
        }
    }

    /// <summary>What the leading copy asks of its grain: the grain is told by a message to itself.</summary>
    private sealed class SimulatedLeaderHost(ReplicationSimulation simulation, SimulatedNode node, Partition copy) : ILeaderHost
    {
        private readonly int _incarnation = node.Incarnation;

        public void PersistIsr(IsrProposal proposal) =>
            simulation.Send(new SimulatedMessage("persist-isr", node.Id, node, () =>
            {
                if (node.Incarnation == _incarnation && ReferenceEquals(node.Copy, copy))
                {
                    simulation.Trace($"{node.Id} {simulation.PersistIsr(node)}");
                }
            }));

        public void StepDown(string reason) =>
            simulation.Send(new SimulatedMessage("deposed", node.Id, node, () =>
            {
                if (node.Incarnation == _incarnation && ReferenceEquals(node.Copy, copy) && node.Stored is not null)
                {
                    simulation.StepDown(node, reason);
                }
            }));
    }
}
