using Microsoft.Extensions.Logging;
using OrleansLog.Grains.Replication;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// Online reassignment, Kafka's way: add the new replicas, let them catch up and join the ISR, move
/// leadership if the leader leaves, then drop the old replicas and their files. Each step is a write of the
/// replication record, so a new leader elected midway continues where the old one stopped.
/// </summary>
internal sealed partial class PartitionGrain
{
    public async Task<AdminResult> ReassignAsync(IReadOnlyList<string> replicas, CancellationToken cancellationToken = default)
    {
        Partition? leading = _leading ?? await LeadingAsync(cancellationToken);
        if (leading is null || _stored is null)
        {
            return AdminResult.Failure(
                leading is null ? _unavailableError : ErrorCode.InvalidReplicaAssignment,
                $"{_id}: {(leading is null ? _unavailableReason : "the partition is not bound to nodes and cannot be reassigned")}");
        }

        await _recordLock.WaitAsync(cancellationToken);
        try
        {
            if (_leading is not { Replication: { } replication } partition || _stored is not { } stored)
            {
                return AdminResult.Failure(_unavailableError, $"{_id}: {_unavailableReason}");
            }

            if (ReplicationRecordChanges.StartReassignment(stored, replicas, _id.ToString(), out AdminResult answer) is not { } next)
            {
                return answer;
            }

            if (await TryWriteRecordAsync(next, cancellationToken) != RecordWrite.Written)
            {
                return AdminResult.Failure(ErrorCode.NotLeaderOrFollower, $"{_id}: the replication record changed meanwhile; retry");
            }

            // A pending ISR change is dropped; the next fetch or check proposes it again against the new set.
            partition.ChangeReplicas(next.Replicas, replication.Isr, next.PartitionEpoch);
            StartReplicationTimer();
            LogReassignmentStarted(logger, _id.ToString(), string.Join(",", stored.Replicas), string.Join(",", replicas));
            foreach (string replica in next.Replicas)
            {
                if (replica != node.NodeId && !stored.Replicas.Contains(replica))
                {
                    _ = StartFollowerAsync(replica);
                }
            }

            return AdminResult.Ok;
        }
        finally
        {
            _recordLock.Release();
        }
    }

    /// <summary>
    /// Finishes a running reassignment once every target replica is in sync: the replica set becomes the
    /// target, leadership moves to the first target replica if this leader is not one, and the replicas that
    /// left are deleted.
    /// </summary>
    private async Task AdvanceReassignmentAsync()
    {
        if (_stored?.TargetReplicas is null || _leading is null)
        {
            return;
        }

        await _recordLock.WaitAsync();
        try
        {
            if (_leading is not { Replication: { } replication } partition || _stored is not { } stored || replication.PendingIsrProposal is not null
                || ReplicationRecordChanges.CompleteReassignment(stored, node.NodeId, replication.IsInSync, out string[] removed) is not { } next)
            {
                return;
            }

            string[] target = next.Replicas;
            bool staying = next.Leader == node.NodeId;
            if (await TryWriteRecordAsync(next, CancellationToken.None) != RecordWrite.Written)
            {
                return;
            }

            LogReassignmentCompleted(logger, _id.ToString(), string.Join(",", target), string.Join(",", removed));
            int epoch = partition.LeaderEpoch;
            if (staying)
            {
                partition.ChangeReplicas(next.Replicas, next.Isr, next.PartitionEpoch);
            }
            else
            {
                StepDown(ErrorCode.NotLeaderOrFollower, $"reassignment moved the partition to [{string.Join(",", target)}]");
            }

            foreach (string replica in removed)
            {
                if (replica == node.NodeId)
                {
                    logs.Delete(_id);
                }
                else
                {
                    await TolerateUnreachableAsync(replica, GrainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(_id, replica)).DeleteAsync(epoch));
                }
            }
        }
        finally
        {
            _recordLock.Release();
        }
    }
}
