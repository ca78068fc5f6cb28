using System.Runtime.ExceptionServices;
using OrleansLog.Groups;

namespace OrleansLog.Client;

/// <summary>
/// Group membership of the consumer: subscribe and unsubscribe, what <see cref="GroupMembership"/> asks of
/// the consumer (<see cref="IMembershipHost"/>), poll tracking for max.poll.interval.ms and auto-commit,
/// and leaving the group on close. Rebalances are applied in <c>OrleansLogConsumer.Rebalance.cs</c>.
/// </summary>
public sealed partial class OrleansLogConsumer
{
    /// <summary>How long dispose spends committing and leaving the group, and a revocation committing: Kafka's close() default.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);

    private static int s_clientSequence;

    private readonly IGroupCoordinatorGrain? _coordinator;
    private readonly string _clientId = string.Empty;
    private readonly HashSet<TopicPartition> _groupOwned = [];
    private GroupMembership? _membership;
    private IConsumerRebalanceListener? _listener;
    private IReadOnlyList<string> _subscription = [];
    private string _appliedMemberId = string.Empty;
    private int _appliedGenerationId = -1;
    private bool _inPoll;
    private long _lastPollEndMs;
    private long _pollCount;
    private bool _crashed;

    public IReadOnlyList<string> Subscription
    {
        get
        {
            lock (_gate)
            {
                return _subscription;
            }
        }
    }

    private GroupMembership? Membership
    {
        get
        {
            lock (_gate)
            {
                return _membership;
            }
        }
    }

    public void Subscribe(IEnumerable<string> topics, IConsumerRebalanceListener? listener = null)
    {
        ArgumentNullException.ThrowIfNull(topics);
        List<string> subscription = [.. topics.Distinct(StringComparer.Ordinal)];
        if (subscription.Count == 0)
        {
            throw new ArgumentException("Subscribe needs at least one topic.", nameof(topics));
        }

        foreach (string topic in subscription)
        {
            if (TopicName.Validate(topic) is { } problem)
            {
                throw new ArgumentException($"Cannot subscribe to '{topic}': {problem}.", nameof(topics));
            }
        }

        if (_coordinator is null)
        {
            throw new InvalidOperationException($"Subscribe needs {nameof(ConsumerOptions)}.{nameof(ConsumerOptions.GroupId)}: a consumer without a group can only assign partitions manually.");
        }

        GroupMembership? existing;
        GroupMembership? started = null;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed || _closing, this);
            if (_membership is null && _assigned.Count > 0)
            {
                throw new InvalidOperationException("Partitions are assigned manually; unassign them before subscribing.");
            }

            existing = _membership;
            _subscription = subscription;
            _listener = listener;
            if (existing is null)
            {
                _membership = started = new GroupMembership(_coordinator, _options, _clientId, subscription, this, _logger, _clock);

                // max.poll.interval counts from the subscription until the first consume call.
                _lastPollEndMs = _clock.NowMs;
            }
        }

        existing?.UpdateSubscription(subscription);
        started?.Start();
    }

    public async Task UnsubscribeAsync(CancellationToken cancellationToken = default)
    {
        GroupMembership? membership = Membership;
        if (membership is null)
        {
            return;
        }

        Exception? listenerError = await CloseGroupAsync(membership, cancellationToken);
        if (listenerError is not null)
        {
            ExceptionDispatchInfo.Throw(listenerError);
        }
    }

    /// <summary>
    /// Test hook: stops heartbeating and fetching as a crashed process would, without committing or leaving
    /// the group, then disposes. The coordinator notices only when the session times out.
    /// </summary>
    internal async ValueTask CrashAsync()
    {
        lock (_gate)
        {
            _crashed = true;
        }

        await DisposeAsync();
    }

    IReadOnlyList<TopicPartition> IMembershipHost.OwnedPartitions()
    {
        lock (_gate)
        {
            return [.. _groupOwned];
        }
    }

    long? IMembershipHost.PollIdleSinceMs()
    {
        lock (_gate)
        {
            return _inPoll ? null : _lastPollEndMs;
        }
    }

    long IMembershipHost.PollCount
    {
        get
        {
            lock (_gate)
            {
                return _pollCount;
            }
        }
    }

    void IMembershipHost.OnMembershipChanged()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            waiter = TakeWaiterLocked();
        }

        waiter?.TrySetResult();
    }

    /// <summary>The application entered a consume call: everything handed out before is processed.</summary>
    private void BeginPoll()
    {
        GroupMembership? membership;
        bool autoCommit;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _inPoll = true;
            _pollCount++;
            membership = _membership;
            autoCommit = _autoCommitDue;
            _autoCommitDue = false;
        }

        membership?.NotifyPoll();
        if (autoCommit)
        {
            StartAutoCommit();
        }
    }

    private void EndPoll()
    {
        lock (_gate)
        {
            EndPollLocked();
        }
    }

    private void EndPollLocked()
    {
        if (_inPoll)
        {
            _inPoll = false;
            _lastPollEndMs = _clock.NowMs;
        }
    }

    /// <summary>
    /// Leaves the group as Kafka's close() does: stop heartbeating, commit the consumed positions
    /// (auto-commit), report the partitions revoked, send LeaveGroup. Returns the listener's exception.
    /// </summary>
    private async Task<Exception?> CloseGroupAsync(GroupMembership membership, CancellationToken cancellationToken)
    {
        await membership.StopAsync();

        // A rebalance the loop completed but no consume call applied yet decides what is owned, and under
        // which generation the close commits.
        Exception? error = await ApplyPendingEventsAsync(membership, cancellationToken);
        error ??= await RevokeAsync(OwnedSnapshot(), commitIdentity: null, cancellationToken);
        await membership.LeaveGroupAsync("the consumer unsubscribed or closed", cancellationToken);
        lock (_gate)
        {
            _membership = null;
            _subscription = [];
            _listener = null;
            _appliedMemberId = string.Empty;
            _appliedGenerationId = -1;
        }

        return error;
    }

    /// <summary>
    /// Dispose: closes the group membership (or, for a manual assignment with a group id, commits the
    /// consumed positions). After <see cref="CrashAsync"/> nothing is committed and nobody is told.
    /// </summary>
    private async Task CloseGroupOnDisposeAsync()
    {
        GroupMembership? membership;
        bool crashed;
        lock (_gate)
        {
            membership = _membership;
            crashed = _crashed;
        }

        if (crashed)
        {
            if (membership is not null)
            {
                await membership.StopAsync();
            }

            return;
        }

        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            if (membership is not null)
            {
                await CloseGroupAsync(membership, timeout.Token);
            }
            else if (_coordinator is not null && _options.EnableAutoCommit)
            {
                await CommitQuietlyAsync(null, commitIdentity: null, "close", timeout.Token);
            }
        }
        catch (Exception ex)
        {
            LogCloseFailed(_logger, ex, _options.GroupId!);
        }
    }
}
