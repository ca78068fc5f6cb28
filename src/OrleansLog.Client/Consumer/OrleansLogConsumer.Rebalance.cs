using System.Runtime.ExceptionServices;
using OrleansLog.Grains;

namespace OrleansLog.Client;

/// <summary>
/// Applies the rebalances <see cref="GroupMembership"/> learns of, inside <see cref="ConsumeAsync"/>, so the
/// listener and commit-on-revoke run on the application's task and never concurrently with its processing.
/// </summary>
/// <remarks>
/// Order within a rebalance, as Kafka's Java client: stop fetching and handing out the revoked partitions,
/// commit their consumed positions (auto-commit), <see cref="IConsumerRebalanceListener.OnPartitionsRevokedAsync"/>,
/// remove them; then add the new partitions, <see cref="IConsumerRebalanceListener.OnPartitionsAssignedAsync"/>,
/// and look up their committed offsets. Partitions kept through a cooperative rebalance are never touched.
/// Lost partitions are dropped without a commit: another member may own them already.
/// </remarks>
public sealed partial class OrleansLogConsumer
{
    /// <summary>Applies every event the membership queued, in order; then throws a fatal membership error or the first listener error.</summary>
    private async ValueTask ApplyMembershipEventsAsync(GroupMembership membership, CancellationToken cancellationToken)
    {
        Exception? listenerError = await ApplyPendingEventsAsync(membership, cancellationToken);
        if (membership.Fatal is { } fatal)
        {
            throw new OrleansLogException(fatal is OrleansLogException known ? known.Error : ErrorCode.UnknownServerError, fatal.Message, fatal);
        }

        if (listenerError is not null)
        {
            ExceptionDispatchInfo.Throw(listenerError);
        }
    }

    /// <summary>Applies the queued events in order; returns the first listener exception.</summary>
    private async ValueTask<Exception?> ApplyPendingEventsAsync(GroupMembership membership, CancellationToken cancellationToken)
    {
        Exception? listenerError = null;
        while (membership.PeekEvent() is { } membershipEvent)
        {
            try
            {
                Exception? error = membershipEvent.Kind switch
                {
                    MembershipEventKind.Assignment => await ApplyAssignmentAsync(membership, membershipEvent, cancellationToken),
                    MembershipEventKind.RevokeAll => await RevokeAsync(OwnedSnapshot(), commitIdentity: null, cancellationToken),
                    _ => await LoseAllAsync(membershipEvent.Reason, cancellationToken),
                };
                listenerError ??= error;
            }
            finally
            {
                membership.CompleteEvent(membershipEvent);
            }
        }

        return listenerError;
    }

    private async ValueTask<Exception?> ApplyAssignmentAsync(GroupMembership membership, MembershipEvent assignment, CancellationToken cancellationToken)
    {
        var target = new HashSet<TopicPartition>(assignment.Partitions);
        List<TopicPartition> revoked;
        List<TopicPartition> added;
        lock (_gate)
        {
            revoked = [.. _groupOwned.Where(p => !target.Contains(p))];
            added = [.. assignment.Partitions.Where(p => !_groupOwned.Contains(p))];
            if (revoked.Count == 0 && added.Count == 0 && _appliedGenerationId == assignment.GenerationId
                && string.Equals(_appliedMemberId, assignment.MemberId, StringComparison.Ordinal))
            {
                // A rejoin the coordinator answered with the generation already applied: no rebalance happened.
                return null;
            }

            _appliedMemberId = assignment.MemberId;
            _appliedGenerationId = assignment.GenerationId;
        }

        LogAssignmentApplied(_logger, _options.GroupId!, assignment.GenerationId, added.Count, revoked.Count, target.Count - added.Count);
        Exception? error = null;
        if (revoked.Count > 0)
        {
            // The partitions moved in this generation, so their commit carries it.
            error = await RevokeAsync(revoked, (assignment.MemberId, assignment.GenerationId), cancellationToken);
        }

        lock (_gate)
        {
            foreach (TopicPartition partition in added)
            {
                if (!_assigned.TryGetValue(partition, out AssignedPartition? state))
                {
                    state = new AssignedPartition(partition, _grainFactory.GetGrain<IPartitionGrain>(partition.ToGrainKey()));
                    _assigned.Add(partition, state);
                    _order.Add(state);
                }

                state.Revoking = false;
                state.AwaitingCommitted = true;
                _groupOwned.Add(partition);
            }

            _next = 0;
        }

        error ??= await InvokeListenerAsync(static (l, c, p, ct) => l.OnPartitionsAssignedAsync(c, p, ct), added, "assigned", cancellationToken);
        Pump();
        if (revoked.Count > 0 && PartitionAssignors.IsCooperative(assignment.Assignor))
        {
            // KIP-429: the revoked partitions go to their new owners in the next generation, which starts
            // once this member rejoins without them.
            membership.RequestRejoin($"{revoked.Count} partitions were revoked in a cooperative rebalance");
        }

        return error;
    }

    /// <summary>
    /// Stops fetching and handing out <paramref name="revoked"/>, commits their consumed positions when
    /// auto-commit is on (with <paramref name="commitIdentity"/>, else the applied member id and generation),
    /// runs the revoked listener, then removes them.
    /// </summary>
    private async ValueTask<Exception?> RevokeAsync(IReadOnlyList<TopicPartition> revoked, (string MemberId, int GenerationId)? commitIdentity, CancellationToken cancellationToken)
    {
        if (revoked.Count == 0)
        {
            return null;
        }

        StopPartitions(revoked);
        if (_options.EnableAutoCommit)
        {
            // Not the consume call's token: a cancelled consume call must not skip this commit, or the next
            // owner would process again what this one already did.
            using var commitTimeout = new CancellationTokenSource(CloseTimeout);
            await CommitQuietlyAsync(revoked, commitIdentity, "revoke", commitTimeout.Token);
        }

        Exception? error = await InvokeListenerAsync(static (l, c, p, ct) => l.OnPartitionsRevokedAsync(c, p, ct), revoked, "revoked", cancellationToken);
        RemovePartitions(revoked);
        return error;
    }

    /// <summary>Drops every group partition without committing: another member may own them already.</summary>
    private async ValueTask<Exception?> LoseAllAsync(string reason, CancellationToken cancellationToken)
    {
        IReadOnlyList<TopicPartition> lost = OwnedSnapshot();
        lock (_gate)
        {
            _appliedMemberId = string.Empty;
            _appliedGenerationId = -1;
        }

        if (lost.Count == 0)
        {
            return null;
        }

        LogPartitionsLost(_logger, _options.GroupId!, lost.Count, reason);
        StopPartitions(lost);
        Exception? error = await InvokeListenerAsync(static (l, c, p, ct) => l.OnPartitionsLostAsync(c, p, ct), lost, "lost", cancellationToken);
        RemovePartitions(lost);
        return error;
    }

    private IReadOnlyList<TopicPartition> OwnedSnapshot()
    {
        lock (_gate)
        {
            return [.. _groupOwned];
        }
    }

    private void StopPartitions(IReadOnlyList<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                if (_assigned.TryGetValue(partition, out AssignedPartition? state))
                {
                    state.Discard();
                    state.Revoking = true;
                }
            }
        }
    }

    private void RemovePartitions(IReadOnlyList<TopicPartition> partitions)
    {
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                _groupOwned.Remove(partition);
                if (_assigned.Remove(partition, out AssignedPartition? state))
                {
                    state.Discard();
                    _order.Remove(state);
                }
            }

            _next = 0;
        }
    }

    private async ValueTask<Exception?> InvokeListenerAsync(
        Func<IConsumerRebalanceListener, IConsumer, IReadOnlyList<TopicPartition>, CancellationToken, ValueTask> callback,
        IReadOnlyList<TopicPartition> partitions,
        string what,
        CancellationToken cancellationToken)
    {
        IConsumerRebalanceListener? listener;
        lock (_gate)
        {
            listener = _listener;
        }

        if (listener is null)
        {
            return null;
        }

        try
        {
            await callback(listener, this, partitions, cancellationToken);
            return null;
        }
        catch (Exception ex)
        {
            LogListenerFailed(_logger, ex, _options.GroupId!, what);
            return ex;
        }
    }
}
