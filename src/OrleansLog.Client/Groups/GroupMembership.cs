using Microsoft.Extensions.Logging;
using OrleansLog.Groups;

namespace OrleansLog.Client;

/// <summary>
/// One consumer's membership in a group, following Kafka's classic protocol against
/// <see cref="IGroupCoordinatorGrain"/>: JoinGroup (a long poll until the join phase completes), SyncGroup
/// (the coordinator computes the assignment), then a heartbeat every
/// <see cref="ConsumerOptions.HeartbeatInterval"/> until the coordinator asks for a rejoin. It runs as one
/// background task on the injected <see cref="TimeProvider"/>, so heartbeats go on however slowly the
/// application consumes.
/// </summary>
/// <remarks>
/// <para>The loop never touches partitions. It queues <see cref="MembershipEvent"/>s that the consumer
/// applies inside its next consume call (as Kafka's Java client applies rebalances inside poll), so commits
/// and rebalance callbacks run on the application's task and never concurrently with its processing.</para>
/// <para>Errors as Kafka: RebalanceInProgress → rejoin with the same member id; UnknownMemberId and
/// IllegalGeneration → forget the member id, report the partitions lost, rejoin; FencedInstanceId and other
/// non-retriable join errors → fatal, thrown from every later consume call. If the application stays out of
/// consume calls for longer than <see cref="ConsumerOptions.MaxPollInterval"/>, the member leaves the group
/// (dynamic members send LeaveGroup) and rejoins on the next consume call, reporting its partitions lost.</para>
/// <para>Eager assignors: before rejoining, the loop asks the consumer to give up every partition
/// (<see cref="MembershipEventKind.RevokeAll"/>) and waits for it, heartbeating meanwhile. Cooperative
/// assignor: the member rejoins at once with the partitions it owns and keeps consuming them.</para>
/// <para>Thread-safety: public members may be called from any thread; state is guarded by one lock, and
/// neither grain calls nor <see cref="IMembershipHost"/> calls are made while it is held.</para>
/// </remarks>
internal sealed partial class GroupMembership
{
    private readonly IGroupCoordinatorGrain _coordinator;
    private readonly ConsumerOptions _options;
    private readonly string _clientId;
    private readonly IMembershipHost _host;
    private readonly ILogger _logger;
    private readonly MonotonicClock _clock;
    private readonly long _heartbeatIntervalMs;
    private readonly long _maxPollIntervalMs;
    private readonly long _retryBackoffMs;
    private readonly Lock _gate = new();
    private readonly List<MembershipEvent> _events = [];
    private readonly CancellationTokenSource _stop = new();
    private IReadOnlyList<string> _topics;
    private TaskCompletionSource _signal = NewSignal();
    private string _memberId = string.Empty;
    private int _generationId = -1;
    private string? _assignor;
    private bool _rejoinNeeded = true;
    private bool _waitingForPoll;
    private long _pollCountWhenLeft;
    private bool _lostPending;
    private long _nextHeartbeatMs;
    private MembershipEvent? _revokeAll;
    private Exception? _fatal;
    private Task _loop = Task.CompletedTask;

    public GroupMembership(
        IGroupCoordinatorGrain coordinator,
        ConsumerOptions options,
        string clientId,
        IReadOnlyList<string> topics,
        IMembershipHost host,
        ILogger logger,
        MonotonicClock clock)
    {
        _coordinator = coordinator;
        _options = options;
        _clientId = clientId;
        _topics = topics;
        _host = host;
        _logger = logger;
        _clock = clock;
        _heartbeatIntervalMs = (long)options.HeartbeatInterval.TotalMilliseconds;
        _maxPollIntervalMs = (long)options.MaxPollInterval.TotalMilliseconds;
        _retryBackoffMs = Math.Max(1, (long)options.RetryBackoff.TotalMilliseconds);
    }

    public string GroupId => _options.GroupId!;

    /// <summary>The member id and generation of the last completed join; empty and -1 when not a member.</summary>
    public (string MemberId, int GenerationId) Current
    {
        get
        {
            lock (_gate)
            {
                return (_memberId, _generationId);
            }
        }
    }

    /// <summary>The failure that ended the membership (FencedInstanceId, an unsupported assignor, ...), or null.</summary>
    public Exception? Fatal
    {
        get
        {
            lock (_gate)
            {
                return _fatal;
            }
        }
    }

    /// <summary>True while events wait for the consumer; auto-commit holds off until they are applied.</summary>
    public bool HasPendingEvents
    {
        get
        {
            lock (_gate)
            {
                return _events.Count > 0;
            }
        }
    }

    /// <summary>True while events wait for the consumer or the membership failed: a consume call must not wait.</summary>
    public bool HasPendingEventsOrFailed
    {
        get
        {
            lock (_gate)
            {
                return _events.Count > 0 || _fatal is not null;
            }
        }
    }

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Replaces the subscribed topics and rejoins so the coordinator assigns from the new ones.</summary>
    public void UpdateSubscription(IReadOnlyList<string> topics)
    {
        lock (_gate)
        {
            _topics = topics;
        }

        RequestRejoin("the subscription changed");
    }

    /// <summary>Rejoins soon; after a cooperative revocation this lets the coordinator hand the partitions on.</summary>
    public void RequestRejoin(string reason)
    {
        lock (_gate)
        {
            if (_rejoinNeeded)
            {
                return;
            }

            _rejoinNeeded = true;
        }

        LogRejoinRequested(_logger, GroupId, reason);
        Signal();
    }

    /// <summary>The application entered a consume call; rejoins if the member left for exceeding max.poll.interval.</summary>
    public void NotifyPoll()
    {
        bool waiting;
        lock (_gate)
        {
            waiting = _waitingForPoll;
        }

        if (waiting)
        {
            Signal();
        }
    }

    /// <summary>The oldest event the consumer has not applied yet.</summary>
    public MembershipEvent? PeekEvent()
    {
        lock (_gate)
        {
            return _events.Count > 0 ? _events[0] : null;
        }
    }

    /// <summary>The consumer applied <paramref name="applied"/> (the event <see cref="PeekEvent"/> returned).</summary>
    public void CompleteEvent(MembershipEvent applied)
    {
        lock (_gate)
        {
            _events.Remove(applied);
            if (applied.Kind == MembershipEventKind.Lost && !_events.Exists(static e => e.Kind == MembershipEventKind.Lost))
            {
                _lostPending = false;
            }
        }

        applied.Applied.TrySetResult();
        Signal();
    }

    /// <summary>
    /// Stops the background loop (cancelling an in-flight join): no more heartbeats. Events already queued
    /// stay for the consumer to apply (a close applies a completed rebalance before it commits). The member
    /// stays in the group until <see cref="LeaveGroupAsync"/> or until its session expires.
    /// </summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        _stop.Dispose();
    }

    /// <summary>
    /// Sends LeaveGroup so the others take over the partitions at once, unless this is a static member
    /// (KIP-345: a static member keeps its partitions reserved until its session expires) or not a member.
    /// Call after <see cref="StopAsync"/>. Errors are logged, not thrown.
    /// </summary>
    public async Task LeaveGroupAsync(string reason, CancellationToken cancellationToken)
    {
        string memberId;
        lock (_gate)
        {
            memberId = _memberId;
            _memberId = string.Empty;
            _generationId = -1;
        }

        if (_options.GroupInstanceId is null && memberId.Length > 0)
        {
            await LeaveAsync(memberId, reason, cancellationToken);
        }
    }
}
