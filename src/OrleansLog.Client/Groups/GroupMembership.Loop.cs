namespace OrleansLog.Client;

/// <summary>
/// The background loop: when to join, heartbeat, wait for the application, or leave because it stopped
/// consuming (max.poll.interval.ms). Waits are deadlines on the injected clock, re-checked after arming
/// the timer, so a test clock advanced at any moment is never missed.
/// </summary>
internal sealed partial class GroupMembership
{
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunLoopAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception ex)
        {
            SetFatal(new OrleansLogException(ErrorCode.UnknownServerError, $"Group '{GroupId}': the membership loop failed: {ex.Message}", ex));
        }
    }

    private async Task RunLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Task signal = CurrentSignal();
            long nowMs = _clock.NowMs;
            if (PollIntervalExceeded(nowMs, out long pollCount))
            {
                await LeaveForPollTimeoutAsync(pollCount, cancellationToken);
                continue;
            }

            bool waitingForPoll;
            bool rejoinNeeded;
            bool revokePending;
            long nextHeartbeatMs;
            lock (_gate)
            {
                if (_fatal is not null)
                {
                    return;
                }

                waitingForPoll = _waitingForPoll;
                rejoinNeeded = _rejoinNeeded;
                revokePending = _revokeAll is not null;
                nextHeartbeatMs = _nextHeartbeatMs;
            }

            if (waitingForPoll && !PolledSinceLeaving())
            {
                await WaitAsync(signal, long.MaxValue, cancellationToken);
                continue;
            }

            if (rejoinNeeded && !revokePending && PrepareEagerRejoin())
            {
                continue;
            }

            if (rejoinNeeded && !revokePending)
            {
                await JoinAndSyncAsync(cancellationToken);
                continue;
            }

            // Stable, or waiting for the application to give up its partitions before an eager rejoin.
            if (nowMs < nextHeartbeatMs)
            {
                await WaitAsync(signal, nextHeartbeatMs, cancellationToken);
                continue;
            }

            // The next heartbeat is due one interval after this one was sent, however long it took to answer,
            // so a test clock advanced right after observing this heartbeat triggers the next.
            ScheduleHeartbeat(nowMs + _heartbeatIntervalMs);
            if (!await HeartbeatAsync(cancellationToken))
            {
                ScheduleHeartbeat(_clock.NowMs + _retryBackoffMs);
            }
        }
    }

    /// <summary>
    /// With an eager assignor, asks the consumer to give up its partitions before rejoining and returns
    /// true; the loop then heartbeats until the consumer completes the event.
    /// </summary>
    private bool PrepareEagerRejoin()
    {
        lock (_gate)
        {
            // After a loss the consumer drops its partitions without committing; nothing to wait for.
            if (PartitionAssignors.IsCooperative(_assignor) || _lostPending || _memberId.Length == 0)
            {
                return false;
            }
        }

        bool holdsPartitions = _host.OwnedPartitions().Count > 0;
        MembershipEvent revoke;
        lock (_gate)
        {
            holdsPartitions |= _events.Exists(static e => e.Kind == MembershipEventKind.Assignment && e.Partitions.Count > 0);
            if (!holdsPartitions)
            {
                return false;
            }

            revoke = MembershipEvent.RevokeAll("eager rebalance");
            _revokeAll = revoke;
            _events.Add(revoke);
        }

        _ = revoke.Applied.Task.ContinueWith(
            static (_, state) => ((GroupMembership)state!).OnRevokeAllApplied(),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _host.OnMembershipChanged();
        return true;
    }

    private void OnRevokeAllApplied()
    {
        lock (_gate)
        {
            _revokeAll = null;
        }

        Signal();
    }

    private bool PollIntervalExceeded(long nowMs, out long pollCount)
    {
        pollCount = 0;
        lock (_gate)
        {
            if (_waitingForPoll || (_memberId.Length == 0 && _generationId < 0))
            {
                return false;
            }
        }

        pollCount = _host.PollCount;
        return _host.PollIdleSinceMs() is { } idleSinceMs && nowMs - idleSinceMs > _maxPollIntervalMs;
    }

    private async Task LeaveForPollTimeoutAsync(long pollCount, CancellationToken cancellationToken)
    {
        string memberId;
        lock (_gate)
        {
            memberId = _memberId;
        }

        LogPollTimeout(_logger, GroupId, memberId, _options.MaxPollInterval);

        // The partitions count as lost (no more auto-commits for them) before the coordinator hears of it.
        lock (_gate)
        {
            _waitingForPoll = true;
            _pollCountWhenLeft = pollCount;
        }

        MarkLost($"no consume call for more than {_options.MaxPollInterval}");

        // A static member does not leave (KIP-345): its partitions stay reserved until its session expires.
        if (_options.GroupInstanceId is null && memberId.Length > 0)
        {
            await LeaveAsync(memberId, "max.poll.interval.ms was exceeded", cancellationToken);
        }
    }

    /// <summary>After leaving for a poll timeout: true once the application is in, or has been in, a consume call.</summary>
    private bool PolledSinceLeaving()
    {
        long pollCountWhenLeft;
        lock (_gate)
        {
            pollCountWhenLeft = _pollCountWhenLeft;
        }

        if (_host.PollCount == pollCountWhenLeft && _host.PollIdleSinceMs() is not null)
        {
            return false;
        }

        lock (_gate)
        {
            _waitingForPoll = false;
        }

        return true;
    }

    private void ScheduleHeartbeat(long dueMs)
    {
        lock (_gate)
        {
            _nextHeartbeatMs = dueMs;
        }
    }

    private Task BackoffAsync(CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(_retryBackoffMs), _clock.TimeProvider, cancellationToken);

    /// <summary>Waits until <paramref name="dueMs"/> or until <paramref name="signal"/> completes.</summary>
    private async Task WaitAsync(Task signal, long dueMs, CancellationToken cancellationToken)
    {
        if (dueMs != long.MaxValue)
        {
            long? idleSince = _host.PollIdleSinceMs();
            if (idleSince is { } since)
            {
                // Wake in time to enforce max.poll.interval.ms.
                dueMs = Math.Min(dueMs, since + _maxPollIntervalMs + 1);
            }
        }

        long delayMs = dueMs == long.MaxValue ? long.MaxValue : dueMs - _clock.NowMs;
        if (delayMs <= 0)
        {
            return;
        }

        using var cancelDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task delay = delayMs == long.MaxValue
            ? Task.Delay(Timeout.Infinite, cancelDelay.Token)
            : Task.Delay(TimeSpan.FromMilliseconds(delayMs), _clock.TimeProvider, cancelDelay.Token);

        // The clock may have moved between reading it and arming the timer; the timer would then be late.
        if (dueMs == long.MaxValue || _clock.NowMs < dueMs)
        {
            await Task.WhenAny(signal, delay);
        }

        await cancelDelay.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private Task CurrentSignal()
    {
        lock (_gate)
        {
            return _signal.Task;
        }
    }

    private void Signal()
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _signal;
            _signal = NewSignal();
        }

        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
