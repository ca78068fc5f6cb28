using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests.Cluster;

/// <summary>
/// Protects the replication rules with real silo processes: acks=all below min.insync.replicas is refused
/// and appends nothing; a leader that meets a newer epoch steps down and its epoch can no longer
/// replicate; a partition moves to another node while producing without losing a record, and the old
/// replica's files go; a preferred replica that returns gets its leadership back; a rebalance after a node
/// joins moves replicas onto it without losing records; a follower that stopped is started again and
/// rejoins the ISR; a topic deleted while a node was down and then re-created never serves that node's
/// old data.
/// </summary>
[Collection(SiloClusterCollection.Name)]
public sealed class ReplicationTests(ReplicatedCluster cluster, ITestOutputHelper output) : IClassFixture<ReplicatedCluster>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AcksAll_WithTheIsrBelowMinInsyncReplicas_IsRefusedWithNotEnoughReplicas_AndAppendsNothing()
    {
        string topic = "min-isr-" + Guid.NewGuid().ToString("N")[..8];
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        var admin = new OrleansLogAdmin(client.Client);
        IPartitionGrain partition = await CreateSinglePartitionTopicAsync(client, admin, topic, 3, 3);
        await Eventually.WaitAsync(
            () => partition.AppendAsync(Batches.Of("while-all-in-sync"), Acks.All, Ct), r => r.IsSuccess, Deadline, "an acks=all append with every replica in sync", Ct);

        // 1. A follower's node dies: it leaves the ISR, which is now below min.insync.replicas=3.
        PartitionDescription before = (await admin.DescribeTopicAsync(topic, Ct)).Partitions[0];
        ClusterNode follower = cluster.Nodes.First(n => n.NodeId != before.Leader);
        follower.Silo.Kill();
        PartitionDescription shrunk = (await Eventually.WaitAsync(
            () => admin.DescribeTopicAsync(topic, Ct),
            d => d.Partitions[0].Isr.Count == 2,
            Deadline,
            $"{follower.NodeId} to leave the ISR of {topic}-0",
            Ct)).Partitions[0];

        // 2. acks=all is refused before anything is appended; acks=leader still works.
        AppendResult refused = await partition.AppendAsync(Batches.Of("refused"), Acks.All, Ct);
        Assert.Equal(ErrorCode.NotEnoughReplicas, refused.Error);
        Assert.Contains("min.insync.replicas=3", refused.Message, StringComparison.Ordinal);
        Assert.Equal(shrunk.LogEndOffset, (await admin.DescribeTopicAsync(topic, Ct)).Partitions[0].LogEndOffset);
        AppendResult leaderOnly = await partition.AppendAsync(Batches.Of("acks-leader"), Acks.Leader, Ct);
        Assert.Equal((ErrorCode.None, shrunk.LogEndOffset), (leaderOnly.Error, leaderOnly.BaseOffset));

        // 3. The node returns, catches up, rejoins; acks=all is taken again.
        await follower.Silo.StartAsync(ThreeNodeCluster.StartTimeout, Ct);
        await Eventually.WaitAsync(
            () => partition.AppendAsync(Batches.Of("after-rejoin"), Acks.All, Ct), r => r.IsSuccess, Deadline, "acks=all once the ISR is whole again", Ct);
        PartitionDescription after = (await admin.DescribeTopicAsync(topic, Ct)).Partitions[0];
        Assert.Equal(3, after.Isr.Count);
    }

    [Fact]
    public async Task LeaderMeetingANewerEpoch_StepsDown_AndItsEpochCanNoLongerReplicate()
    {
        string topic = "fenced-" + Guid.NewGuid().ToString("N")[..8];
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        var admin = new OrleansLogAdmin(client.Client);
        IPartitionGrain partition = await CreateSinglePartitionTopicAsync(client, admin, topic, 3, 2);
        AppendResult first = await Eventually.WaitAsync(
            () => partition.AppendAsync(Batches.Of("a", "b"), Acks.All, Ct), r => r.IsSuccess, Deadline, "the first acks=all append", Ct);
        PartitionDescription before = (await admin.DescribeTopicAsync(topic, Ct)).Partitions[0];
        string follower = before.Replicas.First(r => r != before.Leader);

        // 1. A follower reports an epoch newer than the leader's (as after an election the leader missed).
        ReplicaFetchResult stale = await partition.ReplicaFetchAsync(new ReplicaFetchRequest(follower, before.LeaderEpoch + 1, 0, 1024, 0), Ct);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, stale.Error);
        Assert.Contains($"newer than this leader's {before.LeaderEpoch}", stale.Message, StringComparison.Ordinal);

        // 2. The partition serves again under a newer epoch, with every acknowledged record.
        AppendResult next = await Eventually.WaitAsync(
            () => partition.AppendAsync(Batches.Of("c"), Acks.All, Ct), r => r.IsSuccess, Deadline, "acks=all under the next leader", Ct);
        Assert.Equal(first.LastOffset + 1, next.BaseOffset);
        PartitionDescription after = (await admin.DescribeTopicAsync(topic, Ct)).Partitions[0];
        Assert.True(after.LeaderEpoch > before.LeaderEpoch, $"leader epoch must grow past {before.LeaderEpoch}, is {after.LeaderEpoch}");
        output.WriteLine($"epoch {before.LeaderEpoch} on {before.Leader} → epoch {after.LeaderEpoch} on {after.Leader}");

        // 3. The old epoch is fenced: it can neither fetch nor find a divergence point.
        ReplicaFetchResult old = await partition.ReplicaFetchAsync(new ReplicaFetchRequest(follower, before.LeaderEpoch, 0, 1024, 0), Ct);
        Assert.Equal((ErrorCode.FencedLeaderEpoch, after.LeaderEpoch), (old.Error, old.LeaderEpoch));
        EpochEndOffsetResult divergence = await partition.OffsetForLeaderEpochAsync(follower, before.LeaderEpoch, before.LeaderEpoch, Ct);
        Assert.Equal(ErrorCode.FencedLeaderEpoch, divergence.Error);
        FetchResult all = await partition.FetchAsync(new FetchRequest(0, 1024 * 1024, 0, 0), Ct);
        Assert.Equal(["a", "b", "c"], Batches.Values(all).Select(v => v.Value));
    }

    [Fact]
    public async Task Reassignment_ToAnotherNode_WhileProducing_LosesNothing_AndRemovesTheOldReplicasFiles()
    {
        string topic = "move-" + Guid.NewGuid().ToString("N")[..8];
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        var admin = new OrleansLogAdmin(client.Client);
        await admin.CreateTopicAsync(topic, 1, 2, new Dictionary<string, string> { ["min.insync.replicas"] = "1" }, Ct);
        PartitionDescription before = (await admin.DescribeTopicAsync(topic, Ct)).Partitions[0];
        string leaving = before.Leader;
        string staying = before.Replicas.Single(r => r != leaving);
        string arriving = cluster.Nodes.Select(n => n.NodeId).Single(n => !before.Replicas.Contains(n));

        // 1. Produce (idempotent, acks=all) all along.
        var acknowledged = new ConcurrentDictionary<long, string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var producer = new OrleansLogProducer(client.Client, new ProducerOptions { Linger = TimeSpan.FromMilliseconds(1) });
        Task producing = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string value = i.ToString(CultureInfo.InvariantCulture);
                RecordMetadata metadata = await producer.ProduceAsync(topic, new Message { Value = Encoding.UTF8.GetBytes(value), Partition = 0 }, CancellationToken.None);
                acknowledged[metadata.Offset] = value;
            }
        }, CancellationToken.None);
        await Eventually.WaitAsync(() => Task.FromResult(acknowledged.Count), c => c >= 100, Deadline, "100 records acknowledged before the move", Ct);

        // 2. Move the leader's replica to the third node.
        await admin.ReassignPartitionAsync(topic, 0, [arriving, staying], Ct);
        PartitionDescription moved = (await Eventually.WaitAsync(
            () => admin.DescribeTopicAsync(topic, Ct),
            d => d.Partitions[0].Error == ErrorCode.None && d.Partitions[0].TargetReplicas is null
                && d.Partitions[0].Replicas.SequenceEqual([arriving, staying]),
            Deadline,
            $"{topic}-0 to move from [{string.Join(",", before.Replicas)}] to [{arriving},{staying}]",
            Ct)).Partitions[0];
        output.WriteLine($"moved: leader {moved.Leader}, replicas [{string.Join(",", moved.Replicas)}], ISR [{string.Join(",", moved.Isr)}]");
        int acknowledgedAtMove = acknowledged.Count;
        await Eventually.WaitAsync(() => Task.FromResult(acknowledged.Count), c => c >= acknowledgedAtMove + 100, Deadline, "100 more records after the move", Ct);
        await stop.CancelAsync();
        await producing;

        // 3. Nothing lost; the old replica's files are gone; the new one holds the log.
        IPartitionGrain partition = client.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey());
        long end = acknowledged.Keys.Max() + 1;
        var log = new Dictionary<long, string>();
        while (log.Count < end)
        {
            FetchResult fetched = await Eventually.WaitAsync(
                () => partition.FetchAsync(new FetchRequest(log.Count, 1024 * 1024, 1, 500), Ct), f => f.Error == ErrorCode.None, Deadline, $"{topic}-0 readable at {log.Count}", Ct);
            List<(long Offset, string Value)> values = Batches.Values(fetched);
            Assert.NotEmpty(values);
            foreach ((long offset, string value) in values.Where(v => v.Offset >= log.Count))
            {
                log[offset] = value;
            }
        }

        Assert.All(acknowledged, a => Assert.Equal(a.Value, log.GetValueOrDefault(a.Key)));
        ClusterNode oldNode = cluster.Nodes.Single(n => n.NodeId == leaving);
        ClusterNode newNode = cluster.Nodes.Single(n => n.NodeId == arriving);
        await Eventually.WaitAsync(() => Task.FromResult(oldNode.HoldsLog(topic, 0)), held => !held, Deadline, $"{leaving} to delete its copy of {topic}-0", Ct);
        Assert.True(newNode.HoldsLog(topic, 0), $"{arriving} must hold {topic}-0 after the move");
    }

    [Fact]
    public async Task Rebalance_AfterANodeJoins_MovesReplicasOntoIt_AndKeepsEveryRecord()
    {
        string topic = "spread-" + Guid.NewGuid().ToString("N")[..8];
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        var admin = new OrleansLogAdmin(client.Client);
        await admin.CreateTopicAsync(topic, 4, 2, new Dictionary<string, string> { ["min.insync.replicas"] = "1" }, Ct);
        await using (var producer = new OrleansLogProducer(client.Client, new ProducerOptions()))
        {
            await Task.WhenAll(Enumerable.Range(0, 40).Select(i => producer.ProduceAsync(
                topic, new Message { Value = Encoding.UTF8.GetBytes($"v{i}"), Partition = i % 4 }, Ct)));
        }

        ClusterNode joined = cluster.AddNode("node-4");
        await joined.Silo.StartAsync(ThreeNodeCluster.StartTimeout, Ct);
        try
        {
            await ThreeNodeCluster.WaitForActiveNodesAsync(client, 4, Ct);
            IReadOnlyList<ReplicaMove> moves = await admin.RebalanceClusterAsync(Ct);
            output.WriteLine(string.Join("; ", moves.Select(m => $"{m.Topic}-{m.Partition} [{string.Join(",", m.From)}] -> [{string.Join(",", m.To)}] {m.Error}")));
            ReplicaMove[] ours = [.. moves.Where(m => m.Topic == topic)];
            Assert.NotEmpty(ours);
            Assert.All(ours, m => Assert.Equal(ErrorCode.None, m.Error));

            // 8 replicas over 4 nodes: two each once the moves are done, and every record still there.
            TopicDescription after = await Eventually.WaitAsync(
                () => admin.DescribeTopicAsync(topic, Ct),
                d => d.Partitions.All(p => p.Error == ErrorCode.None && p.TargetReplicas is null)
                    && d.Partitions.SelectMany(p => p.Replicas).Count(r => r == joined.NodeId) == 2,
                Deadline,
                $"the moves of {topic} onto {joined.NodeId} to finish",
                Ct);
            Assert.Equal([2, 2, 2, 2], after.Partitions.SelectMany(p => p.Replicas).GroupBy(r => r).Select(g => g.Count()).Order());
            for (int p = 0; p < 4; p++)
            {
                IPartitionGrain partition = client.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey());
                FetchResult fetched = await Eventually.WaitAsync(
                    () => partition.FetchAsync(new FetchRequest(0, 1024 * 1024, 0, 0), Ct), f => f.Error == ErrorCode.None, Deadline, $"{topic}-{p} readable", Ct);
                Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{(i * 4) + p}"), Batches.Values(fetched).Select(v => v.Value));
            }
        }
        finally
        {
            await joined.Silo.StopAsync(ThreeNodeCluster.StartTimeout);
        }
    }

    [Fact]
    public async Task PreferredReplica_ThatReturnsAndCatchesUp_GetsLeadershipBack()
    {
        string topic = "preferred-" + Guid.NewGuid().ToString("N")[..8];
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        var admin = new OrleansLogAdmin(client.Client);
        IPartitionGrain partition = await CreateSinglePartitionTopicAsync(client, admin, topic, 3, 2);
        await Eventually.WaitAsync(() => partition.AppendAsync(Batches.Of("one"), Acks.All, Ct), r => r.IsSuccess, Deadline, "the first append", Ct);
        PartitionDescription before = (await admin.DescribeTopicAsync(topic, Ct)).Partitions[0];
        string preferred = before.Replicas[0];
        Assert.Equal(preferred, before.Leader);
        ClusterNode node = cluster.Nodes.Single(n => n.NodeId == preferred);

        node.Silo.Kill();
        await Eventually.WaitAsync(() => partition.AppendAsync(Batches.Of("two"), Acks.All, Ct), r => r.IsSuccess, Deadline, "acks=all on a new leader", Ct);
        Assert.NotEqual(preferred, (await admin.DescribeTopicAsync(topic, Ct)).Partitions[0].Leader);

        await node.Silo.StartAsync(ThreeNodeCluster.StartTimeout, Ct);
        PartitionDescription back = (await Eventually.WaitAsync(
            () => admin.DescribeTopicAsync(topic, Ct),
            d => d.Partitions[0].Leader == preferred && d.Partitions[0].Error == ErrorCode.None,
            Deadline,
            $"leadership of {topic}-0 back on its preferred replica {preferred}",
            Ct)).Partitions[0];
        Assert.True(back.LeaderEpoch >= before.LeaderEpoch + 2, $"two leader changes must show in the epoch: {before.LeaderEpoch} → {back.LeaderEpoch}");
        FetchResult all = await Eventually.WaitAsync(
            () => partition.FetchAsync(new FetchRequest(0, 1024 * 1024, 0, 0), Ct), f => f.Error == ErrorCode.None, Deadline, "a fetch from the preferred leader", Ct);
        Assert.Equal(["one", "two"], Batches.Values(all).Select(v => v.Value));
    }

    [Fact]
    public async Task Follower_StoppedWithoutItsLeadersKnowledge_IsStartedAgain_AndRejoinsTheIsr()
    {
        string topic = "restarted-" + Guid.NewGuid().ToString("N")[..8];
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        var admin = new OrleansLogAdmin(client.Client);
        IPartitionGrain partition = await CreateSinglePartitionTopicAsync(client, admin, topic, 3, 2);
        await Eventually.WaitAsync(() => partition.AppendAsync(Batches.Of("one"), Acks.All, Ct), r => r.IsSuccess, Deadline, "the first append", Ct);
        PartitionDescription before = (await Eventually.WaitAsync(
            () => admin.DescribeTopicAsync(topic, Ct), d => d.Partitions[0].Isr.Count == 3, Deadline, $"all 3 replicas of {topic}-0 in sync", Ct)).Partitions[0];

        // A follower stops (as if a restart call had been lost): its node or its leader must start it again.
        string follower = before.Replicas.First(r => r != before.Leader);
        IReplicaGrain replica = client.Client.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(new TopicPartition(topic, 0), follower));
        Assert.False((await replica.StopAsync(before.LeaderEpoch, Ct)).Following);
        await Eventually.WaitAsync(() => replica.GetStatusAsync(Ct), s => s.Following, Deadline, $"the replica of {topic}-0 on {follower} following again", Ct);

        await Eventually.WaitAsync(() => partition.AppendAsync(Batches.Of("two"), Acks.All, Ct), r => r.IsSuccess, Deadline, "an acks=all append after the restart", Ct);
        await Eventually.WaitAsync(
            () => replica.GetStatusAsync(Ct), s => s.LogEndOffset == 2, Deadline, $"the replica on {follower} holding both records", Ct);
        await Eventually.WaitAsync(
            () => admin.DescribeTopicAsync(topic, Ct), d => d.Partitions[0].Isr.Contains(follower), Deadline, $"{follower} in the ISR of {topic}-0", Ct);
    }

    [Fact]
    public async Task ATopicDeletedWhileANodeWasDown_AndRecreated_NeverServesThatNodesOldData()
    {
        string topic = "recreated-" + Guid.NewGuid().ToString("N")[..8];
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        var admin = new OrleansLogAdmin(client.Client);
        IPartitionGrain partition = await CreateSinglePartitionTopicAsync(client, admin, topic, 3, 2);
        await Eventually.WaitAsync(() => partition.AppendAsync(Batches.Of("old"), Acks.All, Ct), r => r.IsSuccess, Deadline, "the first append", Ct);
        PartitionDescription before = (await Eventually.WaitAsync(
            () => admin.DescribeTopicAsync(topic, Ct), d => d.Partitions[0].Isr.Count == 3, Deadline, $"all 3 replicas of {topic}-0 in sync", Ct)).Partitions[0];

        // The leader's node is away while the topic is deleted: its copy stays on its disk.
        ClusterNode away = cluster.Nodes.Single(n => n.NodeId == before.Leader);
        away.Silo.Kill();
        // The topic's own grain may have lived on the node that is away: retry until it answers elsewhere.
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    await admin.DeleteTopicAsync(topic, Ct);
                    return true;
                }
                catch (OrleansLogException ex) when (ex.Error == ErrorCode.UnknownTopicOrPartition)
                {
                    return true; // an earlier attempt deleted it
                }
                catch (Exception ex) when (ex is OrleansLogException or OrleansException or TimeoutException)
                {
                    output.WriteLine($"delete answered: {ex.Message}");
                    return false;
                }
            },
            deleted => deleted, Deadline, $"the deletion of {topic}", Ct);
        Assert.False((await client.Client.GetGrain<ITopicGrain>(topic).GetMetadataAsync(Ct)).Exists);
        Assert.True(away.HoldsLog(topic, 0), $"{away} should still hold the deleted topic's log");

        // It returns, and the topic is created again under the same name.
        await away.Silo.StartAsync(ThreeNodeCluster.StartTimeout, Ct);
        await Eventually.WaitAsync(
            async () =>
            {
                try
                {
                    await CreateSinglePartitionTopicAsync(client, admin, topic, 3, 2);
                    return true;
                }
                catch (Exception ex) when (ex is OrleansException or TimeoutException || ex is OrleansLogException { Error: not ErrorCode.TopicAlreadyExists })
                {
                    output.WriteLine($"create answered: {ex.Message}"); // e.g. the returning node is not active yet
                    return false;
                }
                catch (OrleansLogException)
                {
                    return true; // an earlier attempt created it
                }
            },
            created => created, Deadline, $"{topic} created again with all three nodes", Ct);
        Guid topicId = (await client.Client.GetGrain<ITopicGrain>(topic).GetMetadataAsync(Ct)).TopicId;
        await Eventually.WaitAsync(() => partition.AppendAsync(Batches.Of("new"), Acks.All, Ct), r => r.IsSuccess, Deadline, "an append to the new topic", Ct);
        try
        {
            await Eventually.WaitAsync(
                () => admin.DescribeTopicAsync(topic, Ct), d => d.Partitions[0].Isr.Count == 3, Deadline, $"all 3 replicas of the new {topic}-0 in sync", Ct);
        }
        catch (TimeoutException)
        {
            // What each node said of the partition tells which replica stayed out and why.
            foreach (ClusterNode node in cluster.Nodes)
            {
                output.WriteLine($"--- {node}: lines naming {topic}");
                foreach (string line in node.Silo.Output.Split('\n').Where(l => l.Contains(topic, StringComparison.Ordinal)))
                {
                    output.WriteLine(line);
                }
            }

            throw;
        }

        FetchResult all = await Eventually.WaitAsync(
            () => partition.FetchAsync(new FetchRequest(0, 1024 * 1024, 0, 0), Ct), f => f.Error == ErrorCode.None, Deadline, "a fetch from the new topic", Ct);
        Assert.Equal(["new"], Batches.Values(all).Select(v => v.Value));
        string directory = Path.Combine(away.DataDirectory, "logs", new TopicPartition(topic, 0).ToDirectoryName());
        Assert.Equal(topicId, Storage.PartitionMetadataFile.Read(Storage.PhysicalLogFileSystem.Instance, directory));
        if ((await admin.DescribeTopicAsync(topic, Ct)).Partitions[0].Leader != away.NodeId)
        {
            // A follower: its copy holds the new record only (the fetch above covered the leader's).
            IReplicaGrain returned = client.Client.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(new TopicPartition(topic, 0), away.NodeId));
            await Eventually.WaitAsync(() => returned.GetStatusAsync(Ct), r => r.LogEndOffset == 1, Deadline, $"the copy on {away} holding the new record only", Ct);
        }
    }

    /// <summary>Creates topic <paramref name="topic"/> with one partition and returns that partition's grain.</summary>
    private static async Task<IPartitionGrain> CreateSinglePartitionTopicAsync(
        ExternalClient client, OrleansLogAdmin admin, string topic, short replicationFactor, int minInsyncReplicas)
    {
        var config = new Dictionary<string, string> { ["min.insync.replicas"] = minInsyncReplicas.ToString(CultureInfo.InvariantCulture) };
        await admin.CreateTopicAsync(topic, 1, replicationFactor, config, Ct);
        return client.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey());
    }
}
