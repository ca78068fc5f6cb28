using System.Collections.Concurrent;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using OrleansLog.Grains;
using OrleansLog.Grains.Hosting;
using OrleansLog.Groups;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects the group coordinator grain on a real in-process silo: the three seed cases with concurrent
/// JoinGroup long polls, commit fencing where every rejected request changes nothing, lag from the
/// partitions' high watermarks, offset resets, deletion and the registry, rebalances triggered by a
/// silent member and by added partitions, and committed offsets that survive a restart of the silo.
/// </summary>
public sealed class GroupCoordinatorGrainTests(InProcessBroker broker) : IClassFixture<InProcessBroker>
{
    private const int SessionMs = 10_000;
    private const int RebalanceMs = 10_000;
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("range", 3, new[] { 1, 1, 1 })]
    [InlineData("roundrobin", 2, new[] { 1, 2 })]
    [InlineData("cooperative-sticky", 5, new[] { 0, 0, 1, 1, 1 })]
    public async Task SeedCases_ConcurrentJoins_OneGeneration_EveryPartitionOwnedOnce(string assignor, int consumers, int[] sizes)
    {
        string topic = await NewTopicAsync(3);
        IGroupCoordinatorGrain group = Group();

        Member[] members = await FormGroupAsync(group, [.. Enumerable.Range(0, consumers).Select(i => Join($"c{i}", topic, assignor))]);

        Assert.Single(members.Select(m => m.Generation).Distinct());
        Assert.Equal(sizes, members.Select(m => m.Assignment.Count).Order());
        Assert.Equal(Partitions(topic, 0, 1, 2), members.SelectMany(m => m.Assignment).OrderBy(p => p.Partition));
        (ErrorCode error, GroupDescription? description) = await group.DescribeAsync(Ct);
        Assert.Equal((ErrorCode.None, GroupState.Stable, assignor, consumers), (error, description!.State, description.Assignor, description.Members.Count));
    }

    [Fact]
    public async Task MoreConsumersThanPartitions_AnIdleConsumerTakesOverWhenAnOwnerLeaves()
    {
        string topic = await NewTopicAsync(2);
        IGroupCoordinatorGrain group = Group();
        Member[] members = await FormGroupAsync(group, [Join("a", topic), Join("b", topic), Join("c", topic)]);
        Member idle = Assert.Single(members, m => m.Assignment.Count == 0);
        Member leaving = members.First(m => m.Assignment.Count == 1);

        Assert.Equal(ErrorCode.None, await group.LeaveGroupAsync(leaving.MemberId, null, Ct));
        Member[] rest = [.. members.Where(m => m != leaving)];
        foreach (Member member in rest)
        {
            Assert.Equal(ErrorCode.RebalanceInProgress, await group.HeartbeatAsync(member.MemberId, null, member.Generation, Ct));
        }

        Member[] after = await RejoinAsync(group, rest, topic);

        Assert.Single(after.Select(m => m.Generation).Distinct());
        Assert.Equal(Partitions(topic, 0, 1), after.SelectMany(m => m.Assignment).OrderBy(p => p.Partition));
        Assert.Single(after.Single(m => m.MemberId == idle.MemberId).Assignment);
    }

    [Fact]
    public async Task RejectedCommits_ChangeNothing()
    {
        string topic = await NewTopicAsync(2);
        IGroupCoordinatorGrain group = Group();
        Member[] members = await FormGroupAsync(group, [Join("a", topic), Join("b", topic)]);
        Member a = members[0];
        OffsetCommitResult ok = await group.CommitOffsetsAsync(Commit(a.MemberId, a.Generation, (topic, 0, 10), (topic, 1, 20)), Ct);
        Assert.Equal([ErrorCode.None, ErrorCode.None], ok.Partitions.Select(p => p.Error));

        // 1. A stale generation and an unknown member are refused as a whole.
        Assert.Equal(ErrorCode.IllegalGeneration, (await group.CommitOffsetsAsync(Commit(a.MemberId, a.Generation - 1, (topic, 0, 1)), Ct)).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await group.CommitOffsetsAsync(Commit("nobody", a.Generation, (topic, 0, 2)), Ct)).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, (await group.CommitOffsetsAsync(Commit(string.Empty, -1, (topic, 0, 3)), Ct)).Error);

        // 2. Admin operations that need an empty group are refused while it has members.
        Assert.Equal(ErrorCode.NonEmptyGroup, (await group.ResetOffsetsAsync(topic, new OffsetResetSpec(OffsetResetKind.Earliest, 0), Ct)).Error);
        Assert.Equal(ErrorCode.NonEmptyGroup, (await group.DeleteAsync(Ct)).Error);
        Assert.Equal([10L, 20L], (await group.FetchOffsetsAsync(Partitions(topic, 0, 1), Ct)).Select(o => o.Offset));

        // 3. Partitions that do not exist fail one by one; the others commit.
        OffsetCommitResult mixed = await group.CommitOffsetsAsync(Commit(a.MemberId, a.Generation, (topic, 0, 11), (topic, 2, 5), ("no-such-topic-" + Guid.NewGuid().ToString("N"), 0, 1)), Ct);
        Assert.Equal([ErrorCode.None, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition], mixed.Partitions.Select(p => p.Error));
        IReadOnlyList<CommittedOffset> all = await group.FetchOffsetsAsync(null, Ct);
        Assert.Equal([(0, 11L), (1, 20L)], all.Select(o => (o.Partition.Partition, o.Offset)));
    }

    [Fact]
    public async Task UnknownGroup_IsGroupIdNotFound_ForDescribeAndDelete()
    {
        IGroupCoordinatorGrain group = Group();

        (ErrorCode error, GroupDescription? description) = await group.DescribeAsync(Ct);

        Assert.Equal((ErrorCode.GroupIdNotFound, null), (error, description));
        Assert.Equal(ErrorCode.GroupIdNotFound, (await group.DeleteAsync(Ct)).Error);
        Assert.Equal(-1, (await group.FetchOffsetsAsync([new TopicPartition("t", 0)], Ct))[0].Offset);
    }

    [Fact]
    public async Task Describe_ReportsLagAgainstTheHighWatermarks()
    {
        string topic = await NewTopicAsync(2);
        await ProduceAsync(topic, 0, 5);
        await ProduceAsync(topic, 1, 3);
        IGroupCoordinatorGrain group = Group();
        Member[] members = await FormGroupAsync(group, [Join("a", topic)]);
        await group.CommitOffsetsAsync(Commit(members[0].MemberId, members[0].Generation, (topic, 0, 2)), Ct);

        (_, GroupDescription? description) = await group.DescribeAsync(Ct);

        Assert.Equal(
            [
                new PartitionLag(new TopicPartition(topic, 0), 2, 5, 3, members[0].MemberId),
                new PartitionLag(new TopicPartition(topic, 1), -1, 3, 3, members[0].MemberId),
            ],
            description!.Offsets);
        Assert.Equal(6, description.TotalLag);
    }

    [Fact]
    public async Task ResetOffsets_MovesEveryPartitionOfTheTopic_ClampedIntoTheLog()
    {
        string topic = await NewTopicAsync(2);
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        await ProduceAsync(topic, 0, 5);
        IGroupCoordinatorGrain group = Group();
        await group.CommitOffsetsAsync(Commit(string.Empty, -1, (topic, 0, 3)), Ct);

        async Task<long[]> ResetAsync(OffsetResetKind kind, long value)
        {
            Assert.Equal(ErrorCode.None, (await group.ResetOffsetsAsync(topic, new OffsetResetSpec(kind, value), Ct)).Error);
            return [.. (await group.FetchOffsetsAsync(Partitions(topic, 0, 1), Ct)).Select(o => o.Offset)];
        }

        Assert.Equal(new long[] { 5, 0 }, await ResetAsync(OffsetResetKind.Latest, 0));
        Assert.Equal(new long[] { 0, 0 }, await ResetAsync(OffsetResetKind.Earliest, 0));
        Assert.Equal(new long[] { 5, 0 }, await ResetAsync(OffsetResetKind.ToOffset, 100));
        Assert.Equal(new long[] { 2, 0 }, await ResetAsync(OffsetResetKind.ToOffset, 2));
        Assert.Equal(new long[] { 0, 0 }, await ResetAsync(OffsetResetKind.ToTimestamp, before));
        Assert.Equal(new long[] { 5, 0 }, await ResetAsync(OffsetResetKind.ToTimestamp, before + 3_600_000));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await group.ResetOffsetsAsync("missing-" + Guid.NewGuid().ToString("N"), new OffsetResetSpec(OffsetResetKind.Earliest, 0), Ct)).Error);
    }

    [Fact]
    public async Task Delete_AfterTheMembersLeft_ClearsOffsetsAndUnregisters()
    {
        string topic = await NewTopicAsync(1);
        string groupId = NewGroupId();
        IGroupCoordinatorGrain group = broker.Client.GetGrain<IGroupCoordinatorGrain>(groupId);
        IGroupRegistryGrain registry = broker.Client.GetGrain<IGroupRegistryGrain>(IGroupRegistryGrain.Key);
        Member member = (await FormGroupAsync(group, [Join("a", topic)]))[0];
        await group.CommitOffsetsAsync(Commit(member.MemberId, member.Generation, (topic, 0, 7)), Ct);
        Assert.Contains(groupId, await registry.ListAsync(Ct));

        Assert.Equal(ErrorCode.None, await group.LeaveGroupAsync(member.MemberId, null, Ct));
        Assert.Equal(ErrorCode.None, (await group.DeleteAsync(Ct)).Error);

        Assert.DoesNotContain(groupId, await registry.ListAsync(Ct));
        Assert.Equal(ErrorCode.GroupIdNotFound, (await group.DescribeAsync(Ct)).Error);
        Assert.Equal(-1, (await group.FetchOffsetsAsync(Partitions(topic, 0), Ct))[0].Offset);
    }

    [Fact]
    public async Task SilentMember_IsRemovedAfterItsSession_AndTheOtherTakesAllPartitions()
    {
        string topic = await NewTopicAsync(2);
        IGroupCoordinatorGrain group = Group();
        Member[] members = await FormGroupAsync(group, [Join("alive", topic, sessionMs: 5_000), Join("silent", topic, sessionMs: 1_000)]);
        Member alive = members.Single(m => m.ClientId == "alive");

        await Eventually.WaitAsync(
            () => group.HeartbeatAsync(alive.MemberId, null, alive.Generation, Ct),
            error => error == ErrorCode.RebalanceInProgress,
            TimeSpan.FromSeconds(10),
            "the silent member's 1 s session to expire and a rebalance to start",
            Ct);
        Member after = (await RejoinAsync(group, [alive], topic))[0];

        Assert.Equal(alive.Generation + 1, after.Generation);
        Assert.Equal(Partitions(topic, 0, 1), after.Assignment);
    }

    [Fact]
    public async Task AddedPartitions_TriggerARebalance_WithinTheMetadataRefreshInterval()
    {
        string topic = await NewTopicAsync(2);
        IGroupCoordinatorGrain group = Group();
        Member member = (await FormGroupAsync(group, [Join("a", topic)]))[0];

        Assert.True((await broker.Client.GetGrain<ITopicGrain>(topic).AddPartitionsAsync(3, Ct)).IsSuccess);
        await Eventually.WaitAsync(
            () => group.HeartbeatAsync(member.MemberId, null, member.Generation, Ct),
            error => error == ErrorCode.RebalanceInProgress,
            new OrleansLogOptions().Groups.MetadataRefreshInterval + TimeSpan.FromSeconds(10),
            "the coordinator to notice the third partition",
            Ct);
        Member after = (await RejoinAsync(group, [member], topic))[0];

        Assert.Equal(Partitions(topic, 0, 1, 2), after.Assignment);
    }

    [Fact]
    public async Task StaticMemberRestart_KeepsItsAssignmentAndGeneration_AndFencesTheOldId()
    {
        string topic = await NewTopicAsync(2);
        IGroupCoordinatorGrain group = Group();
        Member[] members = await FormGroupAsync(group, [Join("a", topic, instanceId: "a-instance"), Join("b", topic)]);
        Member a = members.Single(m => m.ClientId == "a");

        JoinGroupResult restart = await group.JoinGroupAsync(Join("a", topic, instanceId: "a-instance"), Ct);
        SyncGroupResult sync = await group.SyncGroupAsync(restart.MemberId, "a-instance", restart.GenerationId, Ct);

        Assert.Equal((ErrorCode.None, a.Generation), (restart.Error, restart.GenerationId));
        Assert.NotEqual(a.MemberId, restart.MemberId);
        Assert.Equal(a.Assignment, sync.Assignment);
        Assert.Equal(ErrorCode.FencedInstanceId, await group.HeartbeatAsync(a.MemberId, "a-instance", a.Generation, Ct));
        Assert.Equal(GroupState.Stable, (await group.DescribeAsync(Ct)).Group!.State);
    }

    [Fact]
    public async Task CommittedOffsetsAndMembership_SurviveASiloRestartOnTheSameDataDirectory()
    {
        string dataDirectory = Path.Combine(Path.GetTempPath(), "olog-grp-" + Guid.NewGuid().ToString("N")[..12]);
        const string topic = "durable-offsets";
        const string groupId = "durable-group";
        try
        {
            // 1. Commit offsets of a formed group, and let the member heartbeat once.
            Member member;
            await using (InProcessTestCluster first = await StartClusterAsync(dataDirectory))
            {
                Assert.True((await first.Client.GetGrain<ITopicGrain>(topic).CreateAsync(2, null, Ct)).IsSuccess);
                IGroupCoordinatorGrain group = first.Client.GetGrain<IGroupCoordinatorGrain>(groupId);
                member = (await FormGroupAsync(group, [Join("a", topic, sessionMs: 60_000)]))[0];
                OffsetCommitResult committed = await group.CommitOffsetsAsync(Commit(member.MemberId, member.Generation, (topic, 0, 41), (topic, 1, 42)), Ct);
                Assert.Equal([ErrorCode.None, ErrorCode.None], committed.Partitions.Select(p => p.Error));

                // 2. Stop the silo.
                await first.StopAllSilosAsync(Ct);
            }

            // 3. A new silo on the same directory: the offsets, the generation and the member are back.
            await using InProcessTestCluster second = await StartClusterAsync(dataDirectory);
            IGroupCoordinatorGrain again = second.Client.GetGrain<IGroupCoordinatorGrain>(groupId);
            Assert.Equal([41L, 42L], (await again.FetchOffsetsAsync(Partitions(topic, 0, 1), Ct)).Select(o => o.Offset));
            Assert.Equal(ErrorCode.None, await again.HeartbeatAsync(member.MemberId, null, member.Generation, Ct));
            (ErrorCode error, GroupDescription? description) = await again.DescribeAsync(Ct);
            Assert.Equal((ErrorCode.None, member.Generation, GroupState.Stable), (error, description!.GenerationId, description.State));
            Assert.Equal(member.Assignment, Assert.Single(description.Members).Assignment);
            Assert.Contains(groupId, await second.Client.GetGrain<IGroupRegistryGrain>(IGroupRegistryGrain.Key).ListAsync(Ct));
            await second.StopAllSilosAsync(Ct);
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task FailedStateWrite_AnswersCoordinatorNotAvailable_AndTheNextActivationServesTheLastDurableOffsets()
    {
        var storage = new FlakyGrainStorage();
        var builder = new InProcessTestClusterBuilder(1);
        string dataDirectory = Path.Combine(Path.GetTempPath(), "olog-grp-flaky-" + Guid.NewGuid().ToString("N")[..12]);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddOrleansLog(o =>
            {
                o.DataDirectory = dataDirectory;
                o.UseFileGrainStorage = false;
            });
            silo.Services.AddGrainStorage(OrleansLogOptions.StorageName, (_, _) => storage);
        });
        await using InProcessTestCluster cluster = builder.Build();
        await cluster.DeployAsync(Ct);
        try
        {
            Assert.True((await cluster.Client.GetGrain<ITopicGrain>("flaky").CreateAsync(1, null, Ct)).IsSuccess);
            IGroupCoordinatorGrain group = cluster.Client.GetGrain<IGroupCoordinatorGrain>("flaky-group");
            TopicPartition partition = new("flaky", 0);

            // 1. A durable commit.
            Assert.Equal(ErrorCode.None, (await group.CommitOffsetsAsync(Commit(string.Empty, -1, ("flaky", 0, 5)), Ct)).Partitions[0].Error);

            // 2. The next write fails: the commit is not acknowledged.
            storage.FailWrites = true;
            OffsetCommitResult failed = await group.CommitOffsetsAsync(Commit(string.Empty, -1, ("flaky", 0, 9)), Ct);
            Assert.Equal(ErrorCode.CoordinatorNotAvailable, failed.Error);

            // 3. Storage recovers; whoever answers next — the failing activation refuses, a new one reads
            //    storage — never shows the unacknowledged 9.
            storage.FailWrites = false;
            long offset = await Eventually.WaitAsync(
                async () => (await group.FetchOffsetsAsync([partition], Ct))[0].Offset,
                o => o == 5 || o == 9,
                TimeSpan.FromSeconds(20),
                "a coordinator activation serving the durable offsets",
                Ct);
            Assert.Equal(5, offset);

            // 4. Commits are durable again.
            Assert.Equal(ErrorCode.None, (await group.CommitOffsetsAsync(Commit(string.Empty, -1, ("flaky", 0, 12)), Ct)).Error);
            Assert.Equal(12, (await group.FetchOffsetsAsync([partition], Ct))[0].Offset);
            await cluster.StopAllSilosAsync(Ct);
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }

    private sealed record Member(string MemberId, string ClientId, int Generation, IReadOnlyList<TopicPartition> Assignment);

    /// <summary>
    /// Sends every join at once, then syncs each member, as consumers do. A member that joined after the
    /// group's first join phase had already completed makes the others rejoin, so this repeats (at most a
    /// few rounds) until one generation holds them all.
    /// </summary>
    private static async Task<Member[]> FormGroupAsync(IGroupCoordinatorGrain group, JoinGroupRequest[] requests)
    {
        JoinGroupResult[] joined = await Task.WhenAll(requests.Select(r => group.JoinGroupAsync(r, Ct)));
        for (int round = 0; round < 5; round++)
        {
            Assert.All(joined, j => Assert.Equal(ErrorCode.None, j.Error));
            SyncGroupResult[] synced = await Task.WhenAll(joined.Select(j => group.SyncGroupAsync(j.MemberId, requests[Array.IndexOf(joined, j)].GroupInstanceId, j.GenerationId, Ct)));
            if (synced.All(s => s.Error == ErrorCode.None) && synced.Select(s => s.GenerationId).Distinct().Count() == 1
                && (await Task.WhenAll(joined.Select((j, i) => group.HeartbeatAsync(j.MemberId, requests[i].GroupInstanceId, j.GenerationId, Ct)))).All(e => e == ErrorCode.None))
            {
                return [.. joined.Select((j, i) => new Member(j.MemberId, requests[i].ClientId, synced[i].GenerationId, synced[i].Assignment))];
            }

            joined = await Task.WhenAll(requests.Select((r, i) => group.JoinGroupAsync(r with { MemberId = joined[i].MemberId }, Ct)));
        }

        throw new TimeoutException($"the {requests.Length} members did not settle into one generation within 5 rounds");
    }

    /// <summary>The members rejoin together (after RebalanceInProgress) and sync.</summary>
    private static async Task<Member[]> RejoinAsync(IGroupCoordinatorGrain group, Member[] members, string topic, string assignor = "range")
    {
        JoinGroupResult[] joined = await Task.WhenAll(members.Select(m =>
            group.JoinGroupAsync(Join(m.ClientId, topic, assignor) with { MemberId = m.MemberId, OwnedPartitions = m.Assignment }, Ct)));
        Assert.All(joined, j => Assert.Equal(ErrorCode.None, j.Error));
        SyncGroupResult[] synced = await Task.WhenAll(joined.Select(j => group.SyncGroupAsync(j.MemberId, null, j.GenerationId, Ct)));
        Assert.All(synced, s => Assert.Equal(ErrorCode.None, s.Error));
        return [.. members.Select((m, i) => new Member(joined[i].MemberId, m.ClientId, synced[i].GenerationId, synced[i].Assignment))];
    }

    private static JoinGroupRequest Join(string clientId, string topic, string assignor = "range", string? instanceId = null, int sessionMs = SessionMs) =>
        new(string.Empty, instanceId, clientId, sessionMs, RebalanceMs, [topic], [assignor], []);

    private static OffsetCommitRequest Commit(string memberId, int generation, params (string Topic, int Partition, long Offset)[] offsets) =>
        new(memberId, null, generation, [.. offsets.Select(o => new OffsetCommitEntry(new TopicPartition(o.Topic, o.Partition), o.Offset, "it"))]);

    private static TopicPartition[] Partitions(string topic, params int[] partitions) => [.. partitions.Select(p => new TopicPartition(topic, p))];

    private static string NewGroupId() => "group-" + Guid.NewGuid().ToString("N")[..12];

    private IGroupCoordinatorGrain Group() => broker.Client.GetGrain<IGroupCoordinatorGrain>(NewGroupId());

    private async Task<string> NewTopicAsync(int partitions)
    {
        string topic = "grp-topic-" + Guid.NewGuid().ToString("N")[..12];
        Assert.True((await broker.Client.GetGrain<ITopicGrain>(topic).CreateAsync(partitions, null, Ct)).IsSuccess);
        return topic;
    }

    private async Task ProduceAsync(string topic, int partition, int records)
    {
        IPartitionGrain grain = broker.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition).ToGrainKey());
        AppendResult result = await grain.AppendAsync(Batches.Of([.. Enumerable.Range(0, records).Select(i => "r" + i)]), Acks.Leader, Ct);
        Assert.Equal(ErrorCode.None, result.Error);
    }

    private static async Task<InProcessTestCluster> StartClusterAsync(string dataDirectory)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddOrleansLog(o =>
        {
            o.DataDirectory = dataDirectory;
            o.Groups.InitialRebalanceDelay = TimeSpan.FromMilliseconds(100);
        }));
        InProcessTestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Grain state in memory, with a switch that makes every write fail (as a full disk would).</summary>
    private sealed class FlakyGrainStorage : IGrainStorage
    {
        private readonly ConcurrentDictionary<(string, GrainId), (object State, string ETag)> _states = new();
        private int _version;

        public volatile bool FailWrites;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (_states.TryGetValue((stateName, grainId), out (object State, string ETag) stored))
            {
                grainState.State = (T)stored.State;
                grainState.ETag = stored.ETag;
                grainState.RecordExists = true;
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (FailWrites)
            {
                throw new IOException($"injected write failure for {grainId}");
            }

            string etag = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _states[(stateName, grainId)] = (grainState.State!, etag);
            grainState.ETag = etag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            _states.TryRemove((stateName, grainId), out _);
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }
    }
}
