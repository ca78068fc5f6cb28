using OrleansLog.Groups;
using static OrleansLog.Client.Tests.GroupHarness;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects at-least-once commits: auto-commit commits only records the application finished (handed
/// out before its latest consume call), explicit commits carry the member id and generation, refusals
/// surface with the coordinator's code, and close commits then leaves (unless the member is static or
/// crashed).
/// </summary>
public sealed class GroupCommitTests
{
    private readonly GroupHarness _group = new();

    public GroupCommitTests()
    {
        for (int i = 0; i < 10; i++)
        {
            _group.Partition(0).AppendRecords(($"k{i}", $"v{i}"));
        }

        _group.Coordinator.NextAssignment = [P0];
    }

    [Fact]
    public async Task AutoCommit_CommitsOnlyRecordsHandedOutBeforeTheLatestConsumeCall()
    {
        // 1. The application took offsets 0-2 and is still processing 2; 3-9 are buffered, not handed out.
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(3);

        // 2. The interval elapses outside a consume call: nothing may be committed yet.
        _group.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty(_group.Coordinator.Commits);

        // 3. Calling consume again says offset 2 is done: the commit is 3, not 10.
        Task commit = _group.Log.WaitForCountAsync("commit", 1);
        Assert.Equal(3, (await ConsumeAsync(consumer, 1, "consuming offset 3"))[0].Offset);
        await commit.Within("waiting for the auto-commit");

        OffsetCommitRequest request = Assert.Single(_group.Coordinator.Commits);
        Assert.Equal(("member-1", 1), (request.MemberId, request.GenerationId));
        Assert.Equal([new OffsetCommitEntry(P0, 3, null)], request.Offsets);
    }

    [Fact]
    public async Task AutoCommit_WhileTheApplicationWaitsInsideConsume_CommitsEverythingHandedOut()
    {
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(10);

        // The application processed all ten and waits for more: the interval elapsing now commits 10.
        Task<ConsumeResult?> waiting = consumer.ConsumeAsync(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken).AsTask();
        Task commit = _group.Log.WaitForCountAsync("commit", 1);
        _group.Time.Advance(TimeSpan.FromSeconds(5));
        await commit.Within("waiting for the auto-commit during a consume call");
        Assert.Equal([new OffsetCommitEntry(P0, 10, null)], Assert.Single(_group.Coordinator.Commits).Offsets);

        _group.Partition(0).AppendRecords(("k", "late"));
        Assert.Equal("late", (await waiting.Within("waiting for the late record"))!.ValueAsString());
    }

    [Fact]
    public async Task CommitAsync_CommitsThePositions_OrTheGivenOffsets_WithTheMemberIdAndGeneration()
    {
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(2, o => o.EnableAutoCommit = false);

        await consumer.CommitAsync(TestContext.Current.CancellationToken);
        await consumer.CommitAsync([new TopicPartitionOffset(P0, 1)], TestContext.Current.CancellationToken);

        Assert.Equal(
            [("member-1", 1, 2L), ("member-1", 1, 1L)],
            _group.Coordinator.Commits.Select(c => (c.MemberId, c.GenerationId, Assert.Single(c.Offsets).Offset)));
        Assert.Equal(
            [new TopicPartitionOffset(P0, 1), new TopicPartitionOffset(P1, -1)],
            await consumer.CommittedAsync([P0, P1], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CommitAsync_RefusedByTheCoordinator_ThrowsItsErrorCode()
    {
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(2, o => o.EnableAutoCommit = false);
        _group.Coordinator.NextCommitError = ErrorCode.IllegalGeneration;

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => consumer.CommitAsync(TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.IllegalGeneration, error.Error);
        Assert.Contains("group 'g'", error.Message, StringComparison.Ordinal);
        Assert.Contains("generation 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_CommitsTheConsumedPositions_ReportsThemRevoked_ThenLeaves()
    {
        OrleansLogConsumer consumer = await _group.SubscribedAsync(4);

        await consumer.DisposeAsync();

        Assert.Equal(
            ["join  owned []", "sync member-1 1", "assigned events-0", "commit events-0@4 gen 1", "revoked events-0", "leave member-1"],
            _group.Log.Significant);
    }

    [Fact]
    public async Task Dispose_OfAStaticMember_CommitsButDoesNotLeave_SoItsPartitionsWaitForItsReturn()
    {
        OrleansLogConsumer consumer = await _group.SubscribedAsync(4, o => o.GroupInstanceId = "instance-a");

        await consumer.DisposeAsync();

        Assert.Equal("instance-a", _group.Coordinator.Joins[0].GroupInstanceId);
        Assert.Equal(["join  owned []", "sync member-1 1", "assigned events-0", "commit events-0@4 gen 1", "revoked events-0"], _group.Log.Significant);
    }

    [Fact]
    public async Task Unsubscribe_CommitsRevokesAndLeaves_ThenManualAssignmentIsAllowed()
    {
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(3);

        await consumer.UnsubscribeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(
            ["join  owned []", "sync member-1 1", "assigned events-0", "commit events-0@3 gen 1", "revoked events-0", "leave member-1"],
            _group.Log.Significant);
        Assert.Empty(consumer.Subscription);
        Assert.Empty(consumer.Assignment);
        consumer.Assign([new TopicPartitionOffset(P1, 0)]);
        Assert.Equal([P1], consumer.Assignment);
    }

    [Fact]
    public async Task Crash_NeitherCommitsNorLeaves_AndStopsHeartbeating()
    {
        OrleansLogConsumer consumer = await _group.SubscribedAsync(4);

        await consumer.CrashAsync();
        _group.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(["join  owned []", "sync member-1 1", "assigned events-0"], _group.Log.Significant);
        Assert.Equal(0, _group.Log.Count("heartbeat"));
    }

    [Fact]
    public async Task ManualAssignment_WithAGroupId_StartsAtTheCommittedOffset_AndCommitsAsAStandaloneConsumer()
    {
        _group.Coordinator.SetCommitted(P0, 7);
        await using OrleansLogConsumer consumer = _group.Consumer();
        consumer.Assign([P0]);

        Assert.Equal(7, (await ConsumeAsync(consumer, 1, "consuming from the committed offset"))[0].Offset);
        await consumer.CommitAsync(TestContext.Current.CancellationToken);

        OffsetCommitRequest request = Assert.Single(_group.Coordinator.Commits);
        Assert.Equal((string.Empty, -1), (request.MemberId, request.GenerationId));
        Assert.Equal(8, Assert.Single(request.Offsets).Offset);
    }
}
