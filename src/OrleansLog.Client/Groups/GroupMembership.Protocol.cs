using OrleansLog.Groups;

namespace OrleansLog.Client;

/// <summary>
/// The coordinator calls and Kafka's rules for their answers: JoinGroup and SyncGroup, Heartbeat,
/// LeaveGroup, and what each error code means for the membership.
/// </summary>
internal sealed partial class GroupMembership
{
    private async Task JoinAndSyncAsync(CancellationToken cancellationToken)
    {
        bool claimOwned;
        lock (_gate)
        {
            // Cooperative members keep (and claim) their partitions while rejoining; eager ones gave them up.
            claimOwned = PartitionAssignors.IsCooperative(_assignor) && !_lostPending;
        }

        IReadOnlyList<TopicPartition> owned = claimOwned ? _host.OwnedPartitions() : [];
        JoinGroupRequest request;
        lock (_gate)
        {
            request = new JoinGroupRequest(
                _memberId,
                _options.GroupInstanceId,
                _clientId,
                (int)_options.SessionTimeout.TotalMilliseconds,
                (int)_options.EffectiveRebalanceTimeout.TotalMilliseconds,
                _topics,
                [.. _options.PartitionAssignmentStrategy],
                owned);
        }

        LogJoining(_logger, GroupId, request.MemberId, request.OwnedPartitions.Count);
        JoinGroupResult join;
        try
        {
            join = await _coordinator.JoinGroupAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await OnCallFailedAsync("JoinGroup", ex, cancellationToken);
            return;
        }

        if (join.Error != ErrorCode.None)
        {
            await OnJoinOrSyncErrorAsync("JoinGroup", join.Error, join.Message, request.MemberId, join.MemberId, cancellationToken);
            return;
        }

        lock (_gate)
        {
            _memberId = join.MemberId;
            _generationId = join.GenerationId;
            _assignor = join.Assignor;
        }

        SyncGroupResult sync;
        try
        {
            sync = await _coordinator.SyncGroupAsync(join.MemberId, _options.GroupInstanceId, join.GenerationId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await OnCallFailedAsync("SyncGroup", ex, cancellationToken);
            return;
        }

        if (sync.Error != ErrorCode.None)
        {
            await OnJoinOrSyncErrorAsync("SyncGroup", sync.Error, sync.Message, join.MemberId, join.MemberId, cancellationToken);
            return;
        }

        lock (_gate)
        {
            _generationId = sync.GenerationId;
            _rejoinNeeded = false;

            // Scheduled before the assignment becomes visible, so a clock advanced after the consumer applied
            // it cannot slip past the first heartbeat.
            _nextHeartbeatMs = _clock.NowMs + _heartbeatIntervalMs;

            // Only the newest assignment matters when the consumer has not applied the previous one yet.
            if (_events.Count > 0 && _events[^1].Kind == MembershipEventKind.Assignment)
            {
                _events.RemoveAt(_events.Count - 1);
            }

            _events.Add(MembershipEvent.Assignment(join.MemberId, sync.GenerationId, join.Assignor, sync.Assignment));
        }

        LogJoined(_logger, GroupId, join.MemberId, sync.GenerationId, join.Assignor, sync.Assignment.Count);
        _host.OnMembershipChanged();
    }

    private async Task OnJoinOrSyncErrorAsync(string call, ErrorCode error, string? message, string sentMemberId, string answeredMemberId, CancellationToken cancellationToken)
    {
        LogCallError(_logger, GroupId, call, error, message);
        switch (error)
        {
            case ErrorCode.MemberIdRequired:
                // Kafka's JoinGroup v4+: the coordinator names the member id and expects the join again with it.
                lock (_gate)
                {
                    _memberId = answeredMemberId;
                }

                return;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                MarkLost($"{call} answered {error}");
                if (sentMemberId.Length == 0)
                {
                    await BackoffAsync(cancellationToken);
                }

                return;
            case ErrorCode.RebalanceInProgress:
                // Sync raced a new rebalance: rejoin at once with the same member id.
                return;
            case ErrorCode.FencedInstanceId:
            case ErrorCode.InconsistentGroupProtocol:
            case ErrorCode.InvalidSessionTimeout:
            case ErrorCode.GroupMaxSizeReached:
            case ErrorCode.InvalidGroupId:
                SetFatal(new OrleansLogException(error, $"Group '{GroupId}': {call} failed with {error}: {message ?? "no message"}."));
                return;
            default:
                if (!error.IsRetriable())
                {
                    SetFatal(new OrleansLogException(error, $"Group '{GroupId}': {call} failed with {error}: {message ?? "no message"}."));
                    return;
                }

                await BackoffAsync(cancellationToken);
                return;
        }
    }

    /// <summary>Sends one heartbeat and acts on the answer; false when it should be retried after the backoff.</summary>
    private async Task<bool> HeartbeatAsync(CancellationToken cancellationToken)
    {
        (string memberId, int generationId) = Current;
        ErrorCode error;
        try
        {
            error = await _coordinator.HeartbeatAsync(memberId, _options.GroupInstanceId, generationId, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogHeartbeatFailed(_logger, ex, GroupId, memberId);
            return false;
        }

        switch (error)
        {
            case ErrorCode.None:
                return true;
            case ErrorCode.RebalanceInProgress:
                RequestRejoin("the coordinator started a rebalance");
                return true;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                LogCallError(_logger, GroupId, "Heartbeat", error, null);
                MarkLost($"Heartbeat answered {error}");
                return true;
            case ErrorCode.FencedInstanceId:
                SetFatal(new OrleansLogException(
                    error,
                    $"Group '{GroupId}': another consumer joined with group.instance.id '{_options.GroupInstanceId}', fencing this one."));
                return true;
            default:
                LogCallError(_logger, GroupId, "Heartbeat", error, null);
                if (error.IsRetriable())
                {
                    return false;
                }

                RequestRejoin($"Heartbeat answered {error}");
                return true;
        }
    }

    private async Task LeaveAsync(string memberId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            ErrorCode error = await _coordinator.LeaveGroupAsync(memberId, _options.GroupInstanceId, cancellationToken);
            LogLeft(_logger, GroupId, memberId, reason, error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogLeaveFailed(_logger, ex, GroupId, memberId);
        }
    }

    /// <summary>
    /// Forgets the member id and generation, drops events the consumer has not applied (they belong to the
    /// lost membership), and queues one <see cref="MembershipEventKind.Lost"/>.
    /// </summary>
    private void MarkLost(string reason)
    {
        List<MembershipEvent> dropped = [];
        lock (_gate)
        {
            _memberId = string.Empty;
            _generationId = -1;
            _rejoinNeeded = true;
            _revokeAll = null;
            dropped.AddRange(_events.FindAll(static e => e.Kind != MembershipEventKind.Lost));
            _events.RemoveAll(static e => e.Kind != MembershipEventKind.Lost);
            if (_events.Count == 0)
            {
                _events.Add(MembershipEvent.Lost(reason));
            }

            _lostPending = true;
        }

        foreach (MembershipEvent stale in dropped)
        {
            stale.Applied.TrySetResult();
        }

        LogLost(_logger, GroupId, reason);
        _host.OnMembershipChanged();
    }

    private void SetFatal(Exception error)
    {
        lock (_gate)
        {
            _fatal ??= error;
        }

        LogFatal(_logger, error, GroupId);
        _host.OnMembershipChanged();
    }

    private async Task OnCallFailedAsync(string call, Exception error, CancellationToken cancellationToken)
    {
        if (TransientFailure.IsTransient(error) || error is OperationCanceledException)
        {
            LogCallFailed(_logger, error, GroupId, call);
            await BackoffAsync(cancellationToken);
            return;
        }

        SetFatal(new OrleansLogException(ErrorCode.UnknownServerError, $"Group '{GroupId}': {call} failed: {error.Message}", error));
    }
}
