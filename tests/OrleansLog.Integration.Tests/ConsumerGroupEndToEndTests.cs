using System.Diagnostics;
using OrleansLog.Client;
using OrleansLog.Groups;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects consumer groups end to end — real consumers against the real coordinator in an in-process
/// silo, on a 4-partition topic: how partitions are split (4, 2 and 6 members), leaving cleanly versus by
/// missing heartbeats, cooperative rebalancing that never stops a partition that stays, static members
/// that restart without a rebalance, and at-least-once delivery while members come and go.
/// </summary>
/// <remarks>
/// Members use 3 s sessions, 300 ms heartbeats and 500 ms auto-commit (<see cref="GroupMemberRunner"/>);
/// the broker's initial rebalance delay is 100 ms (<see cref="InProcessBroker"/>). Waits are deadlines on
/// observed state, never sleeps.
/// </remarks>
public sealed class ConsumerGroupEndToEndTests(InProcessBroker broker) : IClassFixture<InProcessBroker>
{
    private const int Partitions = 4;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private readonly OrleansLogAdmin _admin = new(broker.Client);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(4, new[] { 1, 1, 1, 1 })]
    [InlineData(2, new[] { 2, 2 })]
    public async Task Members_SplitTheFourPartitions_AndTheCoordinatorAgrees(int members, int[] expected)
    {
        (string topic, string group) = await NewTopicAndGroupAsync("split");
        await using var set = new MemberSet();
        for (int i = 0; i < members; i++)
        {
            set.Add(GroupMemberRunner.Start(broker.Client, $"m{i}", group, topic));
        }

        await WaitForSplitAsync(set.Running, expected, $"{members} members to own {string.Join("/", expected)} partitions");
        await WaitForCoordinatorToAgreeAsync(group, set.Running);
    }

    [Fact]
    public async Task SixMembers_FourOwnOnePartition_TwoStayIdle_AndAnIdleOneTakesOverWhenAnOwnerLeaves()
    {
        (string topic, string group) = await NewTopicAndGroupAsync("six");
        await using var set = new MemberSet();
        for (int i = 0; i < 6; i++)
        {
            set.Add(GroupMemberRunner.Start(broker.Client, $"m{i}", group, topic));
        }

        await WaitForSplitAsync(set.Running, [1, 1, 1, 1, 0, 0], "six members to split four partitions 1/1/1/1/0/0");
        List<GroupMemberRunner> idle = [.. set.Running.Where(m => m.Assignment.Count == 0)];
        GroupMemberRunner leaving = set.Running.First(m => m.Assignment.Count == 1);
        TopicPartition released = leaving.Assignment[0];

        await set.StopAsync(leaving);

        await WaitForSplitAsync(set.Running, [1, 1, 1, 1, 0], $"an idle member to take over {released} from {leaving.Name}");
        Assert.Contains(idle, m => m.Assignment.Contains(released));
        await WaitForCoordinatorToAgreeAsync(group, set.Running);
    }

    [Fact]
    public async Task MemberLeavingCleanly_GoesAtOnce_ACrashedOneAfterItsSession_AndANewOneGetsAShare()
    {
        (string topic, string group) = await NewTopicAndGroupAsync("churn");
        await using var set = new MemberSet();
        GroupMemberRunner a = set.Add(GroupMemberRunner.Start(broker.Client, "a", group, topic));
        GroupMemberRunner b = set.Add(GroupMemberRunner.Start(broker.Client, "b", group, topic));
        await WaitForSplitAsync(set.Running, [2, 2], "a and b to own two partitions each");

        // 1. A clean leave removes the member before the close returns; b takes everything.
        await set.StopAsync(a);
        Assert.DoesNotContain((await _admin.DescribeGroupAsync(group, Ct)).Members, m => m.ClientId == "a");
        await WaitForSplitAsync(set.Running, [4], "b to own all four after a left");

        // 2. A newcomer gets half.
        GroupMemberRunner c = set.Add(GroupMemberRunner.Start(broker.Client, "c", group, topic));
        await WaitForSplitAsync(set.Running, [2, 2], "b and c to own two partitions each");

        // 3. A crashed member neither commits nor leaves: the coordinator still lists it until its session
        //    expires, and only then does b get its partitions.
        await set.CrashAsync(c);
        Assert.Contains((await _admin.DescribeGroupAsync(group, Ct)).Members, m => m.ClientId == "c");
        await WaitForSplitAsync(set.Running, [4], "b to own all four after c's session expired");
        Assert.Empty(b.CallbackPartitions("lost"));
        await WaitForCoordinatorToAgreeAsync(group, set.Running);
    }

    [Fact]
    public async Task CooperativeRebalance_RevokesOnlyWhatMoves_AndThePartitionsThatStayKeepFlowingThroughIt()
    {
        (string topic, string group) = await NewTopicAndGroupAsync("coop");
        await using var set = new MemberSet();
        GroupMemberRunner a = set.Add(GroupMemberRunner.Start(broker.Client, "a", group, topic));
        await WaitForSplitAsync(set.Running, [4], "a to own all four partitions");
        using var producing = new CancellationTokenSource();
        Task<List<RecordMetadata>> production = ProduceContinuouslyAsync(topic, producing.Token);
        await Eventually.WaitAsync(
            () => Task.FromResult(a.Processed.Select(r => r.Partition).Distinct().Count()),
            partitions => partitions == Partitions,
            Settle,
            "a to receive records of every partition",
            Ct);

        // 1. b joins: with cooperative-sticky a gives up exactly the two partitions b gets, in two rounds.
        long rebalanceStarted = Stopwatch.GetTimestamp();
        GroupMemberRunner b = set.Add(GroupMemberRunner.Start(broker.Client, "b", group, topic));
        await WaitForSplitAsync(set.Running, [2, 2], "a and b to own two partitions each");
        long bAssigned = b.FirstCallbackWithPartitions("assigned") ?? throw new InvalidOperationException("b owns partitions without an assigned callback");
        IReadOnlyList<TopicPartition> kept = a.Assignment;
        IReadOnlyList<TopicPartition> moved = b.Assignment;

        await producing.CancelAsync();
        await production;

        Assert.Equal(moved, a.CallbackPartitions("revoked").OrderBy(p => p.Partition));
        Assert.Empty(a.CallbackPartitions("lost"));

        // 2. Records of both kept partitions reached a while the rebalance was under way (between b's join
        //    and b receiving its partitions), and a saw each kept partition without a gap or a repeat.
        IReadOnlyList<(ConsumeResult Record, long Timestamp)> received = a.ProcessedAt;
        foreach (TopicPartition partition in kept)
        {
            Assert.Contains(received, r => r.Record.TopicPartition == partition && r.Timestamp > rebalanceStarted && r.Timestamp < bAssigned);
            long[] offsets = [.. received.Where(r => r.Record.TopicPartition == partition).Select(r => r.Record.Offset)];
            Assert.Equal(Enumerable.Range((int)offsets[0], offsets.Length).Select(o => (long)o), offsets);
        }
    }

    [Fact]
    public async Task StaticMember_RestartingWithinItsSession_GetsItsPartitionsBack_WithoutARebalance()
    {
        (string topic, string group) = await NewTopicAndGroupAsync("static");
        await ProduceAsync(topic, perPartition: 5, "before");
        await using var set = new MemberSet();
        GroupMemberRunner a = set.Add(GroupMemberRunner.Start(broker.Client, "a", group, topic, o => o.GroupInstanceId = "instance-a"));
        GroupMemberRunner b = set.Add(GroupMemberRunner.Start(broker.Client, "b", group, topic, o => o.GroupInstanceId = "instance-b"));
        await WaitForSplitAsync(set.Running, [2, 2], "a and b to own two partitions each");
        await Eventually.WaitAsync(() => Task.FromResult(a.Processed.Count + b.Processed.Count), n => n == 5 * Partitions, Settle, "a and b to process every record", Ct);
        IReadOnlyList<TopicPartition> aPartitions = a.Assignment;
        IReadOnlyList<TopicPartition> bPartitions = b.Assignment;
        int generation = (await WaitForCoordinatorToAgreeAsync(group, set.Running)).GenerationId;

        // 1. a stops: it commits but, being static, does not leave; its place is kept for its session.
        await set.StopAsync(a);
        Assert.Equal(2, (await _admin.DescribeGroupAsync(group, Ct)).Members.Count);

        // 2. Its next incarnation takes the place back in the same generation, at the committed offsets.
        GroupMemberRunner restarted = set.Add(GroupMemberRunner.Start(broker.Client, "a", group, topic, o => o.GroupInstanceId = "instance-a"));
        await Eventually.WaitAsync(() => Task.FromResult(restarted.Assignment), p => p.SequenceEqual(aPartitions), Settle, $"the restarted a to own {string.Join(",", aPartitions)}", Ct);
        await ProduceAsync(topic, perPartition: 1, "after");
        await Eventually.WaitAsync(() => Task.FromResult(restarted.Processed.Count), n => n == 2, Settle, "the restarted a to process the two new records", Ct);

        Assert.All(restarted.Processed, r => Assert.StartsWith("after", r.ValueAsString(), StringComparison.Ordinal));
        Assert.Equal(generation, (await WaitForCoordinatorToAgreeAsync(group, set.Running)).GenerationId);
        Assert.Equal(bPartitions, b.Assignment);
        Assert.Empty(b.CallbackPartitions("revoked"));
        Assert.Empty(b.CallbackPartitions("lost"));
    }

    [Fact]
    public async Task AtLeastOnce_WhileMembersComeAndGo_EveryRecordIsProcessed_AndOnlyACrashCausesDuplicates()
    {
        (string topic, string group) = await NewTopicAndGroupAsync("alo");
        await using var set = new MemberSet();
        using var producing = new CancellationTokenSource();
        Task<List<RecordMetadata>> production = ProduceContinuouslyAsync(topic, producing.Token);

        // 1. Two members, then a third.
        GroupMemberRunner first = set.Add(GroupMemberRunner.Start(broker.Client, "first", group, topic));
        GroupMemberRunner crashing = set.Add(GroupMemberRunner.Start(broker.Client, "crashing", group, topic));
        await WaitForSplitAsync(set.Running, [2, 2], "two members to own two partitions each");
        GroupMemberRunner third = set.Add(GroupMemberRunner.Start(broker.Client, "third", group, topic));
        await WaitForSplitAsync(set.Running, [2, 1, 1], "three members to share the partitions");
        await WaitForCoordinatorToAgreeAsync(group, set.Running);
        await Eventually.WaitAsync(() => Task.FromResult(crashing.Processed.Count), n => n > 0, Settle, "the member about to crash to process records", Ct);

        // 2. One crashes after processing (what it did not commit yet will be delivered again), one leaves
        //    cleanly, and a fourth joins.
        await set.CrashAsync(crashing);
        await set.StopAsync(first);
        GroupMemberRunner fourth = set.Add(GroupMemberRunner.Start(broker.Client, "fourth", group, topic));
        await WaitForSplitAsync(set.Running, [2, 2], "the third and fourth members to own two partitions each");

        // 3. Production stops; the survivors catch up.
        await producing.CancelAsync();
        List<RecordMetadata> acknowledged = await production;
        var everyone = new[] { first, crashing, third, fourth };
        var expected = acknowledged.Select(m => (m.Partition, m.Offset)).ToHashSet();
        await Eventually.WaitAsync(
            () => Task.FromResult(expected.Except(everyone.SelectMany(m => m.Processed).Select(r => (r.Partition, r.Offset))).Count()),
            missing => missing == 0,
            Settle,
            $"the union of what the members processed to cover all {expected.Count} acknowledged records",
            Ct);

        // 4. Every acknowledged record was processed; a record was processed twice only if the crashed member
        //    processed it (and never committed it).
        Assert.All(everyone, m => Assert.Null(m.Failure));
        var crashed = crashing.Processed.Select(r => (r.Partition, r.Offset)).ToHashSet();
        var duplicates = everyone.SelectMany(m => m.Processed)
            .GroupBy(r => (r.Partition, r.Offset))
            .Where(g => g.Count() > 1)
            .Select(g => (g.Key, g.Count()))
            .ToList();
        Assert.All(duplicates, d => Assert.True(
            crashed.Contains(d.Key) && d.Item2 == 2,
            $"{d.Key} was processed {d.Item2} times, but only a record the crashed member processed may be processed again"));
        Assert.True(acknowledged.Count > 100, $"expected continuous production, got {acknowledged.Count} records");
    }

    private async Task<(string Topic, string Group)> NewTopicAndGroupAsync(string prefix)
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string topic = $"{prefix}-{suffix}";
        await _admin.CreateTopicAsync(topic, Partitions, cancellationToken: Ct);
        return (topic, $"group-{prefix}-{suffix}");
    }

    /// <summary>Waits until the running members own every partition exactly once, with these counts (in any order).</summary>
    private static Task WaitForSplitAsync(IReadOnlyList<GroupMemberRunner> members, int[] counts, string expectation) =>
        Eventually.WaitAsync(
            () => Task.FromResult(members.Select(m => (m.Name, Partitions: m.Assignment)).ToList()),
            split =>
                split.Select(s => s.Partitions.Count).OrderDescending().SequenceEqual(counts.OrderDescending())
                && split.SelectMany(s => s.Partitions).Distinct().Count() == Partitions
                && split.Sum(s => s.Partitions.Count) == Partitions,
            Settle,
            expectation,
            Ct);

    /// <summary>Waits until the coordinator is Stable with exactly the running members, each owning what the member itself owns.</summary>
    private Task<GroupDescription> WaitForCoordinatorToAgreeAsync(string group, IReadOnlyList<GroupMemberRunner> members) =>
        Eventually.WaitAsync(
            () => _admin.DescribeGroupAsync(group, Ct),
            description =>
                description.State == GroupState.Stable
                && description.Members.Count == members.Count
                && members.All(m => description.Members.Any(d => d.ClientId == m.Name && d.Assignment.OrderBy(p => p.Partition).SequenceEqual(m.Assignment))),
            Settle,
            $"the coordinator of {group} to be Stable with {string.Join(" ", members)}",
            Ct);

    /// <summary>One record per partition every 10 ms until cancelled; returns every acknowledgement.</summary>
    private async Task<List<RecordMetadata>> ProduceContinuouslyAsync(string topic, CancellationToken stop)
    {
        await using var producer = new OrleansLogProducer(broker.Client, new ProducerOptions { Linger = TimeSpan.FromMilliseconds(2) });
        var pending = new List<Task<RecordMetadata>>();
        for (int round = 0; !stop.IsCancellationRequested; round++)
        {
            for (int partition = 0; partition < Partitions; partition++)
            {
                pending.Add(producer.ProduceAsync(topic, new Message { Partition = partition, Value = System.Text.Encoding.UTF8.GetBytes($"r{round}-p{partition}") }, Ct));
            }

            try
            {
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return [.. await Task.WhenAll(pending)];
    }

    private async Task ProduceAsync(string topic, int perPartition, string prefix)
    {
        await using var producer = new OrleansLogProducer(broker.Client, new ProducerOptions());
        var pending = new List<Task<RecordMetadata>>();
        for (int i = 0; i < perPartition; i++)
        {
            for (int partition = 0; partition < Partitions; partition++)
            {
                pending.Add(producer.ProduceAsync(topic, new Message { Partition = partition, Value = System.Text.Encoding.UTF8.GetBytes($"{prefix}-{i}-p{partition}") }, Ct));
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>The members of one test; whatever still runs is stopped cleanly at the end.</summary>
    private sealed class MemberSet : IAsyncDisposable
    {
        private readonly List<GroupMemberRunner> _running = [];

        public IReadOnlyList<GroupMemberRunner> Running => _running;

        public GroupMemberRunner Add(GroupMemberRunner member)
        {
            _running.Add(member);
            return member;
        }

        public async Task StopAsync(GroupMemberRunner member)
        {
            _running.Remove(member);
            await member.StopAsync();
        }

        public async Task CrashAsync(GroupMemberRunner member)
        {
            _running.Remove(member);
            await member.CrashAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Task.WhenAll(_running.Select(m => m.StopAsync()));
            _running.Clear();
        }
    }
}
