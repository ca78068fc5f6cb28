using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Grains.Groups;
using OrleansLog.Groups;
using Xunit;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// A <see cref="GroupStateMachine"/> on a <see cref="FakeTimeProvider"/>, with deterministic member ids
/// (<c>{clientId}-001</c>, <c>-002</c>, ...) and the machine's effects collected after every call: join
/// answers by join id, removed members, rebalances started.
/// </summary>
internal sealed class GroupHarness
{
    public const int SessionMs = 10_000;
    public const int RebalanceMs = 30_000;
    private int _memberSequence;

    public GroupHarness(Action<GroupCoordinatorOptions>? configure = null, params (string Topic, int Partitions)[] topics)
    {
        Options = new GroupCoordinatorOptions
        {
            InitialRebalanceDelay = TimeSpan.FromSeconds(3),
            MinSessionTimeout = TimeSpan.FromSeconds(1),
            MaxSessionTimeout = TimeSpan.FromMinutes(5),
        };
        configure?.Invoke(Options);
        Machine = NewMachine();
        SetPartitions(topics);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public GroupCoordinatorOptions Options { get; }

    public GroupStateMachine Machine { get; private set; }

    public Dictionary<long, JoinGroupResult> Answers { get; } = [];

    public List<MemberRemoval> Removed { get; } = [];

    public List<string> Rebalances { get; } = [];

    public static JoinGroupRequest Request(
        string memberId = "",
        string clientId = "c",
        string? instanceId = null,
        string[]? topics = null,
        string[]? assignors = null,
        TopicPartition[]? owned = null,
        int sessionMs = SessionMs,
        int rebalanceMs = RebalanceMs) =>
        new(memberId, instanceId, clientId, sessionMs, rebalanceMs, topics ?? ["t"], assignors ?? [RangeAssignor.AssignorName], owned ?? []);

    public static TopicPartition P(int partition, string topic = "t") => new(topic, partition);

    public static TopicPartition[] Ps(params int[] partitions) => [.. partitions.Select(p => P(p))];

    public GroupStateMachine NewMachine() =>
        new("g", Options, BuiltInAssignors.All, Time, clientId => string.Create(CultureInfo.InvariantCulture, $"{clientId}-{++_memberSequence:D3}"));

    /// <summary>
    /// Replaces the machine by one restored from the current one's snapshot, as a new activation would be.
    /// Join ids start over in the new machine, so the answers of the old one are forgotten.
    /// </summary>
    public void Reactivate(params (string Topic, int Partitions)[] topics)
    {
        GroupCoordinatorState saved = Machine.Snapshot();
        Answers.Clear();
        Machine = NewMachine();
        Machine.Restore(saved);
        SetPartitions(topics);
    }

    public void SetPartitions(params (string Topic, int Partitions)[] topics)
    {
        Machine.UpdatePartitionCounts(topics.ToDictionary(t => t.Topic, t => t.Partitions));
        Drain();
    }

    /// <summary>Sends a JoinGroup that must be accepted (answered now or later) and returns its join id.</summary>
    public long Join(JoinGroupRequest request)
    {
        JoinOutcome outcome = Machine.Join(request);
        Drain();
        Assert.True(outcome.IsPending, $"join was rejected: {outcome.Rejection}");
        return outcome.JoinId;
    }

    /// <summary>Sends a JoinGroup that must be rejected and returns the rejection.</summary>
    public JoinGroupResult JoinRejected(JoinGroupRequest request)
    {
        JoinOutcome outcome = Machine.Join(request);
        Drain();
        Assert.False(outcome.IsPending, "join was expected to be rejected");
        return outcome.Rejection!;
    }

    public JoinGroupResult? Answer(long joinId) => Answers.GetValueOrDefault(joinId);

    public JoinGroupResult Answered(long joinId) =>
        Answers.TryGetValue(joinId, out JoinGroupResult? result) ? result : throw new Xunit.Sdk.XunitException($"join {joinId} is still pending");

    public SyncGroupResult Sync(string memberId, int generationId, string? instanceId = null)
    {
        SyncGroupResult result = Machine.Sync(memberId, instanceId, generationId);
        Drain();
        return result;
    }

    public ErrorCode Heartbeat(string memberId, int generationId, string? instanceId = null)
    {
        ErrorCode result = Machine.Heartbeat(memberId, instanceId, generationId);
        Drain();
        return result;
    }

    public ErrorCode Leave(string memberId, string? instanceId = null)
    {
        ErrorCode result = Machine.Leave(memberId, instanceId);
        Drain();
        return result;
    }

    public OffsetCommitResult Commit(string memberId, int generationId, params (TopicPartition Partition, long Offset)[] offsets) =>
        Commit(new OffsetCommitRequest(memberId, null, generationId, [.. offsets.Select(o => new OffsetCommitEntry(o.Partition, o.Offset, null))]));

    public OffsetCommitResult Commit(OffsetCommitRequest request)
    {
        OffsetCommitResult result = Machine.Commit(request);
        Drain();
        return result;
    }

    public long Committed(TopicPartition partition) => Machine.FetchOffsets([partition])[0].Offset;

    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        Machine.Tick();
        Drain();
    }

    public void AdvanceMs(long ms) => Advance(TimeSpan.FromMilliseconds(ms));

    /// <summary>Joins new members together (as one initial rebalance), waits out the delay, syncs all; returns their member ids in join order.</summary>
    public string[] FormGroup(params JoinGroupRequest[] requests)
    {
        long[] joins = [.. requests.Select(Join)];
        AdvanceMs((long)Options.InitialRebalanceDelay.TotalMilliseconds);
        string[] ids = [.. joins.Select(j => Answered(j).MemberId)];
        int generation = Machine.GenerationId;
        foreach (string id in ids)
        {
            Assert.Equal(ErrorCode.None, Sync(id, generation).Error);
        }

        Assert.Equal(GroupState.Stable, Machine.State);
        return ids;
    }

    /// <summary>Every listed member rejoins (as after RebalanceInProgress) and syncs once the phase completes; returns the answers.</summary>
    public JoinGroupResult[] RejoinAll(params string[] memberIds)
    {
        long[] joins = [.. memberIds.Select(id => Join(Request(id, ClientOf(id), topics: Machine.FindMember(id)!.Topics.ToArray(), assignors: Machine.FindMember(id)!.Assignors.ToArray(), owned: Machine.FindMember(id)!.OwnedPartitions.ToArray())))];
        JoinGroupResult[] answers = [.. joins.Select(Answered)];
        foreach (JoinGroupResult answer in answers)
        {
            Assert.Equal(ErrorCode.None, answer.Error);
        }

        return answers;
    }

    public IReadOnlyList<TopicPartition> AssignmentOf(string memberId) => Machine.FindMember(memberId)!.Assignment;

    public static string ClientOf(string memberId) => memberId[..memberId.LastIndexOf('-')];

    private void Drain()
    {
        GroupEffects effects = Machine.TakeEffects();
        foreach (JoinCompletion completion in effects.CompletedJoins)
        {
            Assert.True(Answers.TryAdd(completion.JoinId, completion.Result), $"join {completion.JoinId} was answered twice");
        }

        Removed.AddRange(effects.RemovedMembers);
        Rebalances.AddRange(effects.RebalancesStarted);
    }
}
