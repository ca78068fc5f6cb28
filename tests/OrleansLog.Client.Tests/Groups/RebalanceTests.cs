using OrleansLog.Groups;
using static OrleansLog.Client.Tests.GroupHarness;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects how rebalances are applied: with the cooperative assignor only revoked partitions stop (the
/// others keep flowing while the rebalance is under way); with an eager one everything is committed and
/// revoked before the member rejoins; in both, the revoked partitions' consumed positions are committed
/// before the revoked callback, and callbacks come in Kafka's order.
/// </summary>
public sealed class RebalanceTests
{
    private readonly GroupHarness _group = new();

    public RebalanceTests()
    {
        for (int i = 0; i < 4; i++)
        {
            _group.Partition(0).AppendRecords(("k", $"p0-{i}"));
            _group.Partition(1).AppendRecords(("k", $"p1-{i}"));
        }

        _group.Coordinator.NextAssignment = [P0, P1];
    }

    [Fact]
    public async Task Cooperative_RevokedPartitionIsCommittedThenRevoked_WhileTheKeptOneFlowsThroughTheRebalance()
    {
        // 1. Own both partitions and consume everything: positions 4 and 4.
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(8);

        // 2. A rebalance starts; the coordinator holds the JoinGroup open until every member rejoined.
        var joinPhase = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _group.Coordinator.JoinGate = joinPhase;
        Task rejoin = _group.Log.WaitForCountAsync("join", 2);
        _group.Coordinator.HeartbeatAnswers.Enqueue(ErrorCode.RebalanceInProgress);
        await _group.HeartbeatAsync(1);
        await rejoin.Within("waiting for the cooperative rejoin");
        Assert.Equal([P0, P1], _group.Coordinator.Joins[1].OwnedPartitions.OrderBy(p => p.Partition));

        // 3. During the rebalance both partitions keep flowing.
        _group.Partition(0).AppendRecords(("k", "p0-during"));
        _group.Partition(1).AppendRecords(("k", "p1-during"));
        List<ConsumeResult> during = await ConsumeAsync(consumer, 2, "consuming while the join phase is open");
        Assert.Equal(["p0-during", "p1-during"], during.Select(r => r.ValueAsString()).Order());

        // 4. The new generation takes events-1 away. The waiting consume call commits its position (5),
        //    reports it revoked, reports no new partition, and keeps handing out events-0.
        _group.Coordinator.NextAssignment = [P0];
        _group.Coordinator.JoinGate = null;
        Task<ConsumeResult?> next = consumer.ConsumeAsync(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken).AsTask();
        Task applied = _group.Log.WaitForCountAsync("assigned", 2);
        joinPhase.SetResult();
        await applied.Within("waiting for generation 2 to be applied");
        _group.Partition(0).AppendRecords(("k", "p0-after"));
        Assert.Equal("p0-after", (await next.Within("consuming after the rebalance"))!.ValueAsString());

        IReadOnlyList<string> log = _group.Log.Significant;
        int synced2 = log.ToList().IndexOf("sync member-1 2");
        Assert.Equal(["commit events-1@5 gen 2", "revoked events-1", "assigned "], log.Skip(synced2 + 1).Take(3));
        Assert.Equal([P0], consumer.Assignment);
        Assert.Equal(6, consumer.Position(P0));

        // 5. Having revoked, the member rejoins at once without events-1 (KIP-429's second round).
        await _group.Log.WaitForCountAsync("join member-1 owned [events-0]", 1).Within("waiting for the rejoin without events-1");
    }

    [Fact]
    public async Task Eager_CommitsAndRevokesEverythingBeforeRejoining_ThenResumesAtTheCommittedOffsets()
    {
        _group.Coordinator.Assignor = PartitionAssignors.Range;
        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(8);

        // 1. The rebalance waits for the application: the member gives up its partitions inside its next
        //    consume call (here one already waiting), and only then rejoins, claiming nothing.
        Task<ConsumeResult?> next = consumer.ConsumeAsync(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken).AsTask();
        Task reassigned = _group.Log.WaitForCountAsync("assigned", 2);
        _group.Coordinator.HeartbeatAnswers.Enqueue(ErrorCode.RebalanceInProgress);
        await _group.HeartbeatAsync(1);
        await reassigned.Within("waiting for the eager rebalance to complete");

        Assert.Equal(
            ["commit events-0@4,events-1@4 gen 1", "revoked events-0,events-1", "join member-1 owned []", "sync member-1 2", "assigned events-0,events-1"],
            _group.Log.Significant.Skip(3));

        // 2. Records continue exactly at the committed positions: none skipped, none repeated.
        _group.Partition(0).AppendRecords(("k", "p0-4"));
        _group.Partition(1).AppendRecords(("k", "p1-4"));
        var rest = new List<ConsumeResult> { (await next.Within("consuming after the rebalance"))! };
        rest.AddRange(await ConsumeAsync(consumer, 1, "consuming after the rebalance"));
        Assert.Equal(["p0-4", "p1-4"], rest.Select(r => r.ValueAsString()).Order());
    }

    [Fact]
    public async Task AssignedCallback_MaySeek_OverridingTheCommittedOffset()
    {
        _group.Coordinator.SetCommitted(P0, 1);
        _group.Coordinator.NextAssignment = [P0];
        _group.Listener.OnAssigned = (consumer, partitions) => consumer.Seek(P0, 3);

        await using OrleansLogConsumer consumer = await _group.SubscribedAsync(1);

        Assert.Equal(4, consumer.Position(P0));
    }

    [Fact]
    public async Task ListenerFailure_IsThrownFromConsume_AfterTheAssignmentWasApplied()
    {
        _group.Coordinator.NextAssignment = [P0];
        _group.Listener.OnAssigned = (_, _) => throw new InvalidOperationException("listener broke");
        await using OrleansLogConsumer consumer = _group.Consumer();
        consumer.Subscribe(["events"], _group.Listener);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => consumer.ConsumeAsync(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken).AsTask().Within("waiting for the assignment"));

        Assert.Equal("listener broke", error.Message);
        Assert.Equal([P0], consumer.Assignment);
        Assert.Equal("p0-0", (await ConsumeAsync(consumer, 1, "consuming after the listener failed"))[0].ValueAsString());
    }
}
