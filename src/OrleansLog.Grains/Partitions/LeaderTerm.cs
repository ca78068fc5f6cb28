using Microsoft.Extensions.Logging;
using OrleansLog.Grains.Replication;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// One term in office of this node as a partition's leader, from <see cref="Partition.BecomeLeader"/> to
/// stepping down: the led <see cref="Partition"/>, the replication record as this leader wrote it, and the
/// leader's duties that change that record — persisting ISR changes (Kafka's AlterPartition), the periodic
/// check, hand-over to the preferred replica, online reassignment, and leaving after its log failed. Every
/// record write goes through one lock, with the record's ETag; a write that finds a newer leader ends the
/// term. The partition grain creates a term once its election write landed and carries out what the term
/// asks of it (<see cref="ILeaderTermHost"/>: grain calls, deactivation); the rules are tested here with a
/// fake clock and an in-memory record store.
/// </summary>
internal sealed partial class LeaderTerm : ILeaderHost
{
    private readonly SemaphoreSlim _recordLock = new(1, 1);
    private readonly ReplicationRecordStore? _records;
    private readonly string _nodeId;
    private readonly Func<string, bool> _isAlive;
    private readonly ILeaderTermHost _host;
    private readonly LeaderTermSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private DateTimeOffset? _preferredInSyncSince;
    private volatile string? _deposedReason;

    /// <summary>Takes office: <paramref name="partition"/> leads under <paramref name="record"/>, which is already persisted (or, with no <paramref name="records"/>, a partition not bound to nodes).</summary>
    public LeaderTerm(
        Partition partition, LeaderAndIsr record, PartitionReplicationState? stored, ReplicationRecordStore? records, string nodeId, Func<string, bool> isAlive,
        ILeaderTermHost host, LeaderTermSettings settings, TimeProvider time, ILogger logger)
    {
        Partition = partition;
        Stored = stored;
        _records = records;
        _nodeId = nodeId;
        _isAlive = isAlive;
        _host = host;
        _settings = settings;
        _time = time;
        _logger = logger;
        partition.BecomeLeader(record, this);
    }

    public Partition Partition { get; }

    /// <summary>The record as this term last wrote or read it; null for a partition not bound to nodes.</summary>
    public PartitionReplicationState? Stored { get; private set; }

    /// <summary>True once the term stepped down or was closed: it serves and writes nothing more.</summary>
    public bool Ended { get; private set; }

    /// <summary>Whether the periodic check has work: more than one replica, or a reassignment running.</summary>
    public bool NeedsReplicationChecks => Stored is { } stored && (stored.Replicas.Length > 1 || stored.TargetReplicas is not null);

    private string Id => Partition.Id.ToString();

    /// <summary>
    /// Ends the term: waiting acks=all appends fail with <paramref name="error"/>, nothing more is served, and
    /// the host gives up the activation so the next call is placed afresh and reaches the new leader.
    /// </summary>
    public void StepDown(ErrorCode error, string reason)
    {
        if (Ended)
        {
            return;
        }

        int epoch = Partition.LeaderEpoch;
        Close(error, reason);
        _host.SteppedDown(epoch, reason);
    }

    /// <summary>Ends the term without asking anything of the host (it is deactivating, or deleting the partition).</summary>
    public void Close(ErrorCode error, string reason)
    {
        Ended = true;
        Partition.Resign(error, $"{Partition.Id}: {reason}");
    }

    /// <summary>Called by the partition from whichever thread changed it: the host is told to call <see cref="ReplicationChangedAsync"/> in its own turn.</summary>
    void ILeaderHost.PersistIsr(IsrProposal proposal) => _host.NotifyReplicationChanged();

    void ILeaderHost.StepDown(string reason)
    {
        _deposedReason = reason;
        _host.NotifyReplicationChanged();
    }

    /// <summary>Acts on what the partition reported: steps down when deposed, else persists a pending ISR change.</summary>
    public Task ReplicationChangedAsync()
    {
        if (Ended)
        {
            return Task.CompletedTask;
        }

        if (Partition.Role != PartitionRole.Leader)
        {
            StepDown(ErrorCode.NotLeaderOrFollower, _deposedReason ?? "this node's copy no longer leads");
            return Task.CompletedTask;
        }

        return Partition.Replication?.PendingIsrProposal is { } proposal ? PersistIsrAsync(proposal) : Task.CompletedTask;
    }

    /// <summary>
    /// The periodic duties of a replicated partition's leader: step down when deposed, leave when the log
    /// failed, ISR shrink by lag and by dead nodes, a lost ISR notification, reassignment progress and
    /// preferred-leader hand-over.
    /// </summary>
    public async Task CheckAsync()
    {
        if (Ended)
        {
            return;
        }

        if (Partition.Role != PartitionRole.Leader)
        {
            // Deposed by a follower's newer epoch, or made a follower of a newer leader meanwhile.
            StepDown(ErrorCode.NotLeaderOrFollower, _deposedReason ?? "this node's copy follows a newer leader");
            return;
        }

        if (Partition.Log.IsFailed)
        {
            // Found by the commit scheduler or a follower's fetch, with no producer or consumer call to notice it.
            await LeaveAfterStorageFailureAsync("the log failed (a write or fsync error); see the log's error");
            return;
        }

        Partition.Tick(_isAlive);
        if (Partition.Replication?.PendingIsrProposal is { } proposal)
        {
            // Normally persisted on the partition's notification; this catches one that got lost.
            await PersistIsrAsync(proposal);
        }

        await AdvanceReassignmentAsync();
        await HandOverToPreferredLeaderAsync();
    }

    /// <summary>Persists an ISR change with the record's ETag, then lets it take effect (Kafka AlterPartition).</summary>
    public async Task PersistIsrAsync(IsrProposal proposal)
    {
        await _recordLock.WaitAsync();
        try
        {
            if (Ended || !ReferenceEquals(Partition.Replication?.PendingIsrProposal, proposal))
            {
                return;
            }

            if (Stored is not { } stored)
            {
                Partition.AbortIsr(proposal);
                return;
            }

            PartitionReplicationState next = ReplicationRecordChanges.WithIsr(stored, proposal.Isr);
            switch (await WriteAsync(next, CancellationToken.None))
            {
                case RecordWrite.Written:
                    break;

                case RecordWrite.Unknown or RecordWrite.ConflictUnread:
                    // The write may have landed: the proposal stays pending (the HW keeps counting the larger
                    // ISR, KIP-497), and the next check retries; that retry's conflict tells the outcome.
                    return;

                default:
                    PartitionReplicationState current = _records!.Current;
                    if (Ended || !ReplicationRecordChanges.IsOwnIsrWrite(current, _nodeId, Partition.LeaderEpoch, proposal.Isr))
                    {
                        Partition.AbortIsr(proposal);
                        return;
                    }

                    // An earlier attempt of this very change landed; only its answer was lost.
                    Stored = current;
                    next = current;
                    break;
            }

            if (Partition.CommitIsr(proposal, next.PartitionEpoch))
            {
                LogIsrChanged(_logger, Id, Partition.LeaderEpoch, string.Join(",", proposal.Isr), next.PartitionEpoch);
            }
        }
        catch (Exception ex)
        {
            // A proposal left pending would freeze the ISR for good: nothing else is proposed meanwhile.
            LogIsrChangeFailed(_logger, ex, Id, string.Join(",", proposal.Isr));
            Partition.AbortIsr(proposal);
        }
        finally
        {
            _recordLock.Release();
        }
    }

    /// <summary>
    /// The leading copy's log failed (ENOSPC, EIO; Kafka takes the log directory offline and the controller
    /// moves leadership to another in-sync replica): the record names the first other live ISR member leader
    /// and drops this node from the ISR, and the term ends; the host closes the failed log, so the next open
    /// on this node — as a follower, once the disk is usable again — recovers it from disk. With no other
    /// in-sync replica alive the record stays, and the partition comes back here when its log reopens.
    /// </summary>
    public async Task LeaveAfterStorageFailureAsync(string reason)
    {
        if (Ended || !Partition.Log.IsFailed)
        {
            return;
        }

        await _recordLock.WaitAsync();
        try
        {
            if (!Ended && Stored is { Replicas.Length: > 1 } stored
                && ReplicationRecordChanges.LeaveAfterStorageFailure(stored, _nodeId, _isAlive) is { } next
                && await WriteAsync(next, CancellationToken.None) == RecordWrite.Written)
            {
                LogLeftAfterStorageFailure(_logger, Id, _nodeId, next.Leader!);
            }
        }
        finally
        {
            _recordLock.Release();
        }

        StepDown(ErrorCode.KafkaStorageError, $"its log on node '{_nodeId}' failed: {reason}");
        _host.ReportStorageFailure(Partition, reason);
    }

    /// <summary>
    /// Starts moving the partition to <paramref name="replicas"/> (Kafka's way: add the new replicas, let
    /// them catch up and join the ISR, move leadership if the leader leaves, then drop the old replicas).
    /// Each step is a write of the record, so a new leader elected midway continues where this one stopped.
    /// </summary>
    public async Task<AdminResult> ReassignAsync(IReadOnlyList<string> replicas, CancellationToken cancellationToken)
    {
        if (Stored is null)
        {
            return AdminResult.Failure(ErrorCode.InvalidReplicaAssignment, $"{Id}: the partition is not bound to nodes and cannot be reassigned");
        }

        await _recordLock.WaitAsync(cancellationToken);
        try
        {
            if (Ended || Partition.Replication is not { } replication || Stored is not { } stored)
            {
                return AdminResult.Failure(ErrorCode.NotLeaderOrFollower, $"{Id}: node '{_nodeId}' no longer leads; retry");
            }

            if (ReplicationRecordChanges.StartReassignment(stored, replicas, Id, out AdminResult answer) is not { } next)
            {
                return answer;
            }

            if (await WriteAsync(next, cancellationToken) != RecordWrite.Written)
            {
                return AdminResult.Failure(ErrorCode.NotLeaderOrFollower, $"{Id}: the replication record changed meanwhile; retry");
            }

            // A pending ISR change is dropped; the next fetch or check proposes it again against the new set.
            Partition.ChangeReplicas(next.Replicas, replication.Isr, next.PartitionEpoch);
            LogReassignmentStarted(_logger, Id, string.Join(",", stored.Replicas), string.Join(",", replicas));
            foreach (string replica in next.Replicas)
            {
                if (replica != _nodeId && !stored.Replicas.Contains(replica))
                {
                    _ = _host.StartFollowerAsync(replica, Partition.LeaderEpoch);
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
    public async Task AdvanceReassignmentAsync()
    {
        if (Stored?.TargetReplicas is null || Ended)
        {
            return;
        }

        await _recordLock.WaitAsync();
        try
        {
            if (Ended || Partition.Replication is not { } replication || Stored is not { } stored || replication.PendingIsrProposal is not null
                || ReplicationRecordChanges.CompleteReassignment(stored, _nodeId, replication.IsInSync, out string[] removed) is not { } next)
            {
                return;
            }

            if (await WriteAsync(next, CancellationToken.None) != RecordWrite.Written)
            {
                return;
            }

            LogReassignmentCompleted(_logger, Id, string.Join(",", next.Replicas), string.Join(",", removed));
            int epoch = Partition.LeaderEpoch;
            if (next.Leader == _nodeId)
            {
                Partition.ChangeReplicas(next.Replicas, next.Isr, next.PartitionEpoch);
            }
            else
            {
                StepDown(ErrorCode.NotLeaderOrFollower, $"reassignment moved the partition to [{string.Join(",", next.Replicas)}]");
            }

            foreach (string replica in removed)
            {
                await _host.DeleteReplicaAsync(replica, epoch);
            }
        }
        finally
        {
            _recordLock.Release();
        }
    }

    /// <summary>
    /// Kafka's auto.leader.rebalance: once the preferred replica (the first of the replica set) has been in
    /// sync for <see cref="LeaderTermSettings.PreferredLeaderDelay"/>, this leader hands over, so leadership
    /// spreads over the nodes again after a failover.
    /// </summary>
    public async Task HandOverToPreferredLeaderAsync()
    {
        DateTimeOffset now = _time.GetUtcNow();
        if (Partition.Replication is not { } replication || !_settings.AutoLeaderRebalance || Stored is not { TargetReplicas: null })
        {
            _preferredInSyncSince = null;
            return;
        }

        string preferred = replication.LeaderAndIsr.Replicas[0];
        if (preferred == _nodeId || !replication.IsInSync(preferred) || !_isAlive(preferred))
        {
            _preferredInSyncSince = null;
            return;
        }

        _preferredInSyncSince ??= now;
        if (now - _preferredInSyncSince.Value < _settings.PreferredLeaderDelay)
        {
            return;
        }

        await _recordLock.WaitAsync();
        try
        {
            if (!Ended && Stored is { } stored
                && await WriteAsync(ReplicationRecordChanges.HandOver(stored, preferred), CancellationToken.None) == RecordWrite.Written)
            {
                StepDown(ErrorCode.NotLeaderOrFollower, $"leadership handed to node '{preferred}': the preferred replica is in sync again");
            }
        }
        finally
        {
            _recordLock.Release();
        }
    }

    /// <summary>Writes with the record's ETag (under the record lock); a write that finds a newer leader, or cannot tell, ends the term.</summary>
    private async Task<RecordWrite> WriteAsync(PartitionReplicationState next, CancellationToken cancellationToken)
    {
        RecordWrite outcome = await _records!.TryWriteAsync(next, cancellationToken);
        switch (outcome)
        {
            case RecordWrite.Written:
                Stored = next;
                break;

            case RecordWrite.Conflict when _records.Current is var current && (current.LeaderEpoch > Partition.LeaderEpoch || current.Leader != _nodeId):
                StepDown(ErrorCode.NotLeaderOrFollower, $"a newer leader took office: {current}");
                break;

            case RecordWrite.ConflictUnread:
                // Unknown who won: stop leading rather than keep acknowledging on a record that may be stale.
                StepDown(ErrorCode.NotLeaderOrFollower, "the replication record changed and could not be read back");
                break;
        }

        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: ISR in leader epoch {LeaderEpoch} is now [{Isr}] (partition epoch {PartitionEpoch})")]
    private static partial void LogIsrChanged(ILogger logger, string partition, int leaderEpoch, string isr, long partitionEpoch);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: changing the ISR to [{Isr}] failed; the next check proposes again")]
    private static partial void LogIsrChangeFailed(ILogger logger, Exception exception, string partition, string isr);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: reassignment from [{From}] to [{To}] started")]
    private static partial void LogReassignmentStarted(ILogger logger, string partition, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: reassignment to [{To}] completed; removed replicas [{Removed}]")]
    private static partial void LogReassignmentCompleted(ILogger logger, string partition, string to, string removed);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: the log on node {Node} failed; node {Successor} leads next and this node left the ISR")]
    private static partial void LogLeftAfterStorageFailure(ILogger logger, string partition, string node, string successor);
}
