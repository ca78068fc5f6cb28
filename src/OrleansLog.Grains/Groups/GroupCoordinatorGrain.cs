using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansLog.Grains.Hosting;
using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>
/// The coordinator of one consumer group (key: the group id) over a <see cref="GroupStateMachine"/>.
/// Reentrant on purpose: JoinGroup is a long poll that waits for the join phase without holding the turn,
/// so other members' joins, syncs, heartbeats and commits interleave with it. Every state change happens
/// synchronously inside the machine within one turn; only metadata look-ups, the durable write and the
/// waiting happen across awaits. Changes are written (group-committed by <see cref="StateWriteBatcher"/>)
/// before they are acknowledged: a generation before its JoinGroup answers go out, offsets before the
/// commit is answered. One grain timer, re-armed to the machine's next deadline, drives the timeouts and
/// the periodic partition-count check.
/// </summary>
[Reentrant]
[GrainType("olog-group")]
internal sealed partial class GroupCoordinatorGrain(
    [PersistentState("group", OrleansLogOptions.StorageName)] IPersistentState<GroupCoordinatorState> state,
    IEnumerable<IPartitionAssignor> assignors,
    IOptions<OrleansLogOptions> options,
    TimeProvider timeProvider,
    ILogger<GroupCoordinatorGrain> logger) : Grain, IGroupCoordinatorGrain
{
    private readonly Dictionary<long, TaskCompletionSource<JoinGroupResult>> _pendingJoins = [];
    private GroupStateMachine _machine = null!;
    private StateWriteBatcher _writer = null!;
    private IGrainTimer? _timer;
    private long _timerDueMs = long.MaxValue;
    private long _nextMetadataRefreshMs;
    private bool _refreshing;
    private bool _registered;
    private bool _failed;
    private Task _registryCalls = Task.CompletedTask;

    private string GroupId => this.GetPrimaryKeyString();

    private GroupCoordinatorOptions Options => options.Value.Groups;

    private long NowMs => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<IPartitionAssignor> known = [.. assignors];
        _machine = new GroupStateMachine(GroupId, Options, known.Count > 0 ? known : BuiltInAssignors.All, timeProvider);
        _machine.Restore(state.State);
        _registered = _machine.Exists;
        _writer = new StateWriteBatcher(WriteStateAsync);

        // A resumed group learns its topics' partition counts before it serves anyone.
        _nextMetadataRefreshMs = NowMs + (long)Options.MetadataRefreshInterval.TotalMilliseconds;
        await RefreshPartitionCountsAsync(_machine.SubscribedTopics(), cancellationToken);
        _timer = this.RegisterGrainTimer(
            static (grain, token) => grain.OnTimerAsync(token),
            this,
            new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        if (_machine.Exists)
        {
            LogResumed(logger, GroupId, _machine.State, _machine.GenerationId, _machine.MemberCount);
        }

        LogEffects(_machine.TakeEffects());
        ArmTimer();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        foreach ((long _, TaskCompletionSource<JoinGroupResult> waiting) in _pendingJoins)
        {
            waiting.TrySetResult(new JoinGroupResult(
                ErrorCode.NotCoordinator, $"group '{GroupId}': the coordinator is moving ({reason.Description}); retry", string.Empty, -1, null, null));
        }

        _pendingJoins.Clear();
        return Task.CompletedTask;
    }

    public async Task<JoinGroupResult> JoinGroupAsync(JoinGroupRequest request, CancellationToken cancellationToken = default)
    {
        await RefreshPartitionCountsAsync(request.Topics, cancellationToken);
        JoinOutcome outcome = _machine.Join(request);
        if (!outcome.IsPending)
        {
            await PersistEffectsAsync();
            return outcome.Rejection!;
        }

        var answer = new TaskCompletionSource<JoinGroupResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingJoins[outcome.JoinId] = answer;
        await PersistEffectsAsync();
        try
        {
            return await answer.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (_pendingJoins.Remove(outcome.JoinId))
            {
                _machine.CancelJoin(outcome.JoinId);
                await PersistEffectsAsync();
            }

            throw;
        }
    }

    public async Task<SyncGroupResult> SyncGroupAsync(string memberId, string? groupInstanceId, int generationId, CancellationToken cancellationToken = default)
    {
        SyncGroupResult result = _machine.Sync(memberId, groupInstanceId, generationId);
        await PersistEffectsAsync();
        return result;
    }

    public Task<ErrorCode> HeartbeatAsync(string memberId, string? groupInstanceId, int generationId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_machine.Heartbeat(memberId, groupInstanceId, generationId));

    public async Task<ErrorCode> LeaveGroupAsync(string memberId, string? groupInstanceId, CancellationToken cancellationToken = default)
    {
        ErrorCode error = _machine.Leave(memberId, groupInstanceId);
        return await PersistEffectsAsync() ? error : ErrorCode.CoordinatorNotAvailable;
    }

    /// <summary>Answers join calls whose phase completed after their state is durable, logs, and re-arms the timer. False when the write failed.</summary>
    private async Task<bool> PersistEffectsAsync()
    {
        GroupEffects effects = _machine.TakeEffects();
        long version = _machine.Version;
        if (!effects.IsEmpty)
        {
            // Without effects no deadline moved earlier (heartbeats, syncs and commits only push them out).
            LogEffects(effects);
            ArmTimer();
        }

        bool durable = true;
        if (version > _writer.DurableVersion)
        {
            if (_machine.Exists && !_registered)
            {
                await RegisterAsync();
            }

            try
            {
                await _writer.WaitDurableAsync(version);
            }
            catch (Exception ex)
            {
                FailActivation(ex, "writing the group's state");
                durable = false;
            }
        }

        foreach (JoinCompletion completion in effects.CompletedJoins)
        {
            if (_pendingJoins.Remove(completion.JoinId, out TaskCompletionSource<JoinGroupResult>? waiting))
            {
                waiting.TrySetResult(durable ? completion.Result : Unavailable(completion.Result.MemberId));
            }
        }

        return durable;
    }

    private async Task<long> WriteStateAsync()
    {
        long version = _machine.Version;
        GroupCoordinatorState snapshot = _machine.Snapshot();
        if (snapshot.Exists)
        {
            state.State = snapshot;
            await state.WriteStateAsync();
        }
        else if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        return version;
    }

    /// <summary>
    /// This activation cannot go on — a state write failed (what storage holds is unknown) or the machine
    /// broke an invariant: every waiting join is answered CoordinatorNotAvailable so the activation goes
    /// idle, and a new activation starts over from storage.
    /// </summary>
    private void FailActivation(Exception ex, string what)
    {
        if (!_failed)
        {
            _failed = true;
            LogActivationFailed(logger, ex, GroupId, what);
        }

        foreach ((long _, TaskCompletionSource<JoinGroupResult> waiting) in _pendingJoins)
        {
            waiting.TrySetResult(Unavailable(string.Empty));
        }

        _pendingJoins.Clear();
        DeactivateOnIdle();
    }

    private JoinGroupResult Unavailable(string memberId) =>
        new(ErrorCode.CoordinatorNotAvailable, $"group '{GroupId}': the coordinator could not store the group's state; retry", memberId, -1, null, null);

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _timerDueMs = long.MaxValue;
        try
        {
            _machine.Tick();
            long now = NowMs;
            if (_machine.MemberCount > 0 && now >= _nextMetadataRefreshMs && !_refreshing)
            {
                _nextMetadataRefreshMs = now + (long)Options.MetadataRefreshInterval.TotalMilliseconds;
                _refreshing = true;
                try
                {
                    await RefreshPartitionCountsAsync(_machine.SubscribedTopics(), cancellationToken);
                }
                finally
                {
                    _refreshing = false;
                }
            }

            await PersistEffectsAsync();
            ArmTimer();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            FailActivation(ex, "the timer");
        }
    }

    /// <summary>Arms the one-shot timer for the machine's next deadline (or the next metadata check) if that is sooner than it is armed for.</summary>
    private void ArmTimer()
    {
        long next = _machine.NextDeadlineMs();
        if (_machine.MemberCount > 0)
        {
            next = Math.Min(next, _nextMetadataRefreshMs);
        }

        if (next >= _timerDueMs || _timer is null)
        {
            return;
        }

        _timerDueMs = next;
        _timer.Change(TimeSpan.FromMilliseconds(Math.Max(1, next - NowMs)), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Asks the topics for their partition counts (0 when a topic does not exist) and gives them to the machine.</summary>
    private async Task RefreshPartitionCountsAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        if (topics.Count == 0)
        {
            return;
        }

        try
        {
            var calls = new Task<TopicMetadata>[topics.Count];
            for (int i = 0; i < calls.Length; i++)
            {
                calls[i] = GrainFactory.GetGrain<ITopicGrain>(topics[i]).GetMetadataAsync(cancellationToken);
            }

            TopicMetadata[] metadata = await Task.WhenAll(calls);
            var counts = new Dictionary<string, int>(metadata.Length, StringComparer.Ordinal);
            foreach (TopicMetadata topic in metadata)
            {
                counts[topic.Name] = topic.Exists ? topic.PartitionCount : 0;
            }

            _machine.UpdatePartitionCounts(counts);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The cached counts stay in use; the next refresh tries again.
            LogMetadataRefreshFailed(logger, ex, GroupId, string.Join(", ", topics));
        }
    }

    private Task RegisterAsync()
    {
        _registered = true;
        return _registryCalls = CallRegistryAsync(_registryCalls, register: true);
    }

    private Task UnregisterAsync()
    {
        _registered = false;
        return _registryCalls = CallRegistryAsync(_registryCalls, register: false);
    }

    /// <summary>Registry calls run one after another, so a delete's unregister never overtakes a later join's register.</summary>
    private async Task CallRegistryAsync(Task previous, bool register)
    {
        await previous;
        IGroupRegistryGrain registry = GrainFactory.GetGrain<IGroupRegistryGrain>(IGroupRegistryGrain.Key);
        try
        {
            if (register)
            {
                await registry.RegisterAsync(GroupId);
            }
            else
            {
                await registry.UnregisterAsync(GroupId);
            }
        }
        catch (Exception ex)
        {
            // The group works without its registry entry; the next durable change registers it again.
            LogRegistryFailed(logger, ex, GroupId, register ? "register" : "unregister");
            if (register)
            {
                _registered = false;
            }
        }
    }

    private void LogEffects(GroupEffects effects)
    {
        if (effects.IsEmpty)
        {
            return;
        }

        foreach (string reason in effects.RebalancesStarted)
        {
            LogRebalanceStarted(logger, GroupId, reason);
        }

        foreach (MemberRemoval removal in effects.RemovedMembers)
        {
            LogMemberRemoved(logger, GroupId, removal.MemberId, removal.Reason);
        }

        foreach ((string previous, string current) in effects.StaticMembersReplaced)
        {
            LogStaticMemberReplaced(logger, GroupId, previous, current);
        }

        foreach (GenerationCompleted generation in effects.GenerationsCompleted)
        {
            LogGenerationCompleted(logger, GroupId, generation.GenerationId, generation.Members, generation.Assignor, generation.FollowUpNeeded);
        }
    }
}
