using OrleansLog.Groups;
using static OrleansLog.Client.Tests.GroupHarness;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the consumer's side of the group protocol against a scripted coordinator on a fake clock:
/// the join request, starting positions from committed offsets, heartbeats that go on while the
/// application is slow, max.poll.interval enforcement, and Kafka's reactions to heartbeat errors.
/// </summary>
public sealed class GroupMembershipTests
{
    private readonly GroupHarness _group = new();

    [Fact]
    public async Task Subscribe_JoinsWithTheConfiguredSettings_AndStartsAtTheCommittedOffset_ElseAtAutoOffsetReset()
    {
        for (int i = 0; i < 5; i++)
        {
            _group.Partition(0).AppendRecords(($"k{i}", $"p0-{i}"));
        }

        _group.Partition(1).AppendRecords(("a", "p1-0"), ("b", "p1-1"), ("c", "p1-2"));
        _group.Coordinator.SetCommitted(P0, 3);
        _group.Coordinator.NextAssignment = [P0, P1];

        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(5);

        JoinGroupRequest join = Assert.Single(_group.Coordinator.Joins);
        Assert.Equal(string.Empty, join.MemberId);
        Assert.Null(join.GroupInstanceId);
        Assert.StartsWith("consumer-g-", join.ClientId, StringComparison.Ordinal);
        Assert.Equal((45_000, 300_000), (join.SessionTimeoutMs, join.RebalanceTimeoutMs));
        Assert.Equal(["events"], join.Topics);
        Assert.Equal(["cooperative-sticky", "range"], join.Assignors);
        Assert.Empty(join.OwnedPartitions);
        Assert.Equal(["join  owned []", "sync member-1 1", "assigned events-0,events-1"], _group.Log.Significant);
        Assert.Equal([P0, P1], consumer.Assignment.OrderBy(p => p.Partition));
        Assert.Equal(5, consumer.Position(P0));
        Assert.Equal(3, consumer.Position(P1));
    }

    [Fact]
    public async Task Heartbeats_GoOnEveryInterval_WhileTheApplicationIsSlowToConsumeAgain()
    {
        _group.Partition(0).AppendRecords(("k", "v"));
        _group.Coordinator.NextAssignment = [P0];
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(1);

        // The application processes that record for 30 s (well inside max.poll.interval): no consume calls.
        for (int heartbeat = 1; heartbeat <= 10; heartbeat++)
        {
            await _group.HeartbeatAsync(heartbeat);
        }

        Assert.Equal(0, _group.Log.Count("leave"));
        Assert.Equal(1, _group.Log.Count("join"));
    }

    [Fact]
    public async Task MaxPollIntervalExceeded_LeavesTheGroup_ThenTheNextConsumeReportsPartitionsLost_AndRejoins()
    {
        _group.Partition(0).AppendRecords(("k", "first"));
        _group.Coordinator.NextAssignment = [P0];
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(1, o => o.MaxPollInterval = TimeSpan.FromSeconds(10));

        // 1. No consume call for 12 s: heartbeats at 3, 6 and 9 s, then the member leaves.
        await _group.HeartbeatAsync(1);
        await _group.HeartbeatAsync(2);
        await _group.HeartbeatAsync(3);
        Task leave = _group.Log.WaitForCountAsync("leave", 1);
        _group.Time.Advance(TimeSpan.FromSeconds(3));
        await leave.Within("waiting for the member to leave after max.poll.interval");
        Assert.Equal(1, _group.Log.Count("join"));

        // 2. The next consume call reports the partition lost, rejoins as a new member and gets it back.
        //    Nothing was committed (auto-commit waits for a consume call), so "first" comes again: at least once.
        _group.Partition(0).AppendRecords(("k", "second"));
        List<ConsumeResult> records = await ConsumeAsync(consumer, 2, "consuming after the rejoin");

        Assert.Equal(["first", "second"], records.Select(r => r.ValueAsString()));
        IReadOnlyList<string> log = _group.Log.Significant;
        Assert.Equal(["join  owned []", "sync member-1 1", "assigned events-0", "leave member-1"], log.Take(4));
        Assert.Equal(["join  owned []", "sync member-2 2", "assigned events-0"], log.Skip(4).Where(e => e != "lost events-0" && !e.StartsWith("commit", StringComparison.Ordinal)));
        Assert.True(Index(log, "lost events-0") < LastIndex(log, "assigned events-0"), $"lost must precede the new assignment: {string.Join(" | ", log)}");
        Assert.DoesNotContain(_group.Coordinator.Commits, c => c.GenerationId == 1);
    }

    [Fact]
    public async Task RebalanceInProgress_FromAHeartbeat_RejoinsWithTheSameMemberId_ClaimingItsPartitions()
    {
        _group.Partition(0).AppendRecords(("k", "v"));
        _group.Coordinator.NextAssignment = [P0, P1];
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(1);

        Task rejoin = _group.Log.WaitForCountAsync("join", 2);
        _group.Coordinator.HeartbeatAnswers.Enqueue(ErrorCode.RebalanceInProgress);
        await _group.HeartbeatAsync(1);
        await rejoin.Within("waiting for the rejoin");

        JoinGroupRequest join = _group.Coordinator.Joins[1];
        Assert.Equal("member-1", join.MemberId);
        Assert.Equal([P0, P1], join.OwnedPartitions.OrderBy(p => p.Partition));
    }

    [Fact]
    public async Task UnknownMemberId_FromAHeartbeat_ForgetsTheMemberId_ReportsPartitionsLost_AndRejoins()
    {
        _group.Partition(0).AppendRecords(("k", "first"));
        _group.Coordinator.NextAssignment = [P0];
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(1);

        Task rejoin = _group.Log.WaitForCountAsync("sync", 2);
        _group.Coordinator.HeartbeatAnswers.Enqueue(ErrorCode.UnknownMemberId);
        await _group.HeartbeatAsync(1);
        await rejoin.Within("waiting for the rejoin");

        JoinGroupRequest join = _group.Coordinator.Joins[1];
        Assert.Equal(string.Empty, join.MemberId);
        Assert.Empty(join.OwnedPartitions);

        // Nothing was committed, so the new member starts again at "first": at least once.
        _group.Partition(0).AppendRecords(("k", "second"));
        List<ConsumeResult> records = await ConsumeAsync(consumer, 2, "consuming after the rejoin");
        Assert.Equal(["first", "second"], records.Select(r => r.ValueAsString()));
        Assert.Equal(
            ["join  owned []", "sync member-1 1", "assigned events-0", "join  owned []", "sync member-2 2", "lost events-0", "assigned events-0"],
            _group.Log.Significant);
    }

    [Fact]
    public async Task FencedInstanceId_IsFatal_AndThrownFromConsume()
    {
        _group.Partition(0).AppendRecords(("k", "v"));
        _group.Coordinator.NextAssignment = [P0];
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(1, o => o.GroupInstanceId = "instance-a");

        _group.Coordinator.HeartbeatAnswers.Enqueue(ErrorCode.FencedInstanceId);
        await _group.HeartbeatAsync(1);

        var error = await Assert.ThrowsAsync<OrleansLogException>(
            () => consumer.ConsumeAsync(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken).AsTask().Within("waiting for the fatal error"));
        Assert.Equal(ErrorCode.FencedInstanceId, error.Error);
        Assert.Contains("instance-a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_WithoutAGroupId_Throws_AndManualAndGroupAssignmentExcludeEachOther()
    {
        await using var standalone = new OrleansLogConsumer(_group.Cluster, new ConsumerOptions());
        InvalidOperationException noGroup = Assert.Throws<InvalidOperationException>(() => standalone.Subscribe(["events"]));
        Assert.Contains("GroupId", noGroup.Message, StringComparison.Ordinal);

        await using OrleansLogConsumer manual = _group.Consumer();
        manual.Assign([P0]);
        Assert.Throws<InvalidOperationException>(() => manual.Subscribe(["events"]));

        await using OrleansLogConsumer subscribed = _group.Consumer();
        subscribed.Subscribe(["events"]);
        Assert.Equal(["events"], subscribed.Subscription);
        Assert.Throws<InvalidOperationException>(() => subscribed.Assign([P0]));
        Assert.Throws<ArgumentException>(() => subscribed.Subscribe(["bad/name"]));
    }

    private static int Index(IReadOnlyList<string> log, string entry) => log.ToList().IndexOf(entry);

    private static int LastIndex(IReadOnlyList<string> log, string entry) => log.ToList().LastIndexOf(entry);
}
