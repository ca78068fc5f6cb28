using System.Diagnostics;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Groups;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests.Cluster;

/// <summary>
/// Protects cluster mode as an operator runs it: three silo processes against PostgreSQL, each
/// partition's log on the node its topic assigned it to. Partitions spread evenly over the nodes; every
/// gateway produces and consumes everything; a killed node's partitions fail fast with a retriable error
/// and serve all acknowledged records when the node returns with its data directory; metadata and
/// committed offsets survive restarting every silo; two silos can never share a data directory.
/// </summary>
[Collection(SiloClusterCollection.Name)]
public sealed class ClusterModeTests(ThreeNodeCluster cluster, ITestOutputHelper output) : IClassFixture<ThreeNodeCluster>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SixPartitions_SpreadTwoPerNode_AndEveryGatewayProducesAndConsumesAll()
    {
        output.WriteLine($"cluster start-up (3 silos to all active): {cluster.StartUpTime.TotalSeconds:0.00} s");
        string topic = "spread-" + Guid.NewGuid().ToString("N")[..8];
        await using (ExternalClient admin = await cluster.ConnectAsync(Ct))
        {
            await new OrleansLogAdmin(admin.Client).CreateTopicAsync(topic, 6, cancellationToken: Ct);
        }

        // 1. Through each node's gateway alone: produce, then consume everything produced so far.
        var acknowledged = new List<(int Partition, long Offset, string Value)>();
        foreach (ClusterNode via in cluster.Nodes)
        {
            await using ExternalClient client = await cluster.ConnectAsync(Ct, via);
            await using (var producer = new OrleansLogProducer(client.Client, new ProducerOptions { Linger = TimeSpan.FromMilliseconds(2) }))
            {
                var pending = new List<Task<RecordMetadata>>();
                for (int i = 0; i < 60; i++)
                {
                    pending.Add(producer.ProduceAsync(topic, $"key-{i}", $"{via.NodeId}-{i}", Ct));
                }

                RecordMetadata[] metadata = await Task.WhenAll(pending);
                acknowledged.AddRange(metadata.Select((m, i) => (m.Partition, m.Offset, $"{via.NodeId}-{i}")));
            }

            List<ConsumeResult> consumed = await ConsumeAllAsync(client, topic, 6, acknowledged.Count);
            Assert.Equal(
                acknowledged.OrderBy(a => a.Partition).ThenBy(a => a.Offset),
                consumed.Select(r => (r.Partition, r.Offset, r.ValueAsString()!)).OrderBy(a => a.Item1).ThenBy(a => a.Item2));
        }

        // 2. Each node leads two partitions and holds exactly their logs.
        await using ExternalClient any = await cluster.ConnectAsync(Ct);
        TopicDescription description = await new OrleansLogAdmin(any.Client).DescribeTopicAsync(topic, Ct);
        Assert.All(description.Partitions, p => Assert.Equal(ErrorCode.None, p.Error));
        Assert.Equal(
            cluster.Nodes.Select(n => (n.NodeId, 2)),
            description.Partitions.GroupBy(p => p.Leader).Select(g => (g.Key, g.Count())).OrderBy(g => g.Key, StringComparer.Ordinal));
        foreach (PartitionDescription partition in description.Partitions)
        {
            Assert.Equal([partition.Leader], partition.Replicas);
            foreach (ClusterNode node in cluster.Nodes)
            {
                Assert.True(
                    node.HoldsLog(topic, partition.Partition) == (node.NodeId == partition.Leader),
                    $"{topic}-{partition.Partition} is led by {partition.Leader}; {node.NodeId} holds a log of it: {node.HoldsLog(topic, partition.Partition)}");
            }
        }

        // 3. cluster describe agrees: three active nodes, each leading and holding its two partitions.
        ClusterDescription nodes = await any.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).DescribeAsync(Ct);
        NodeDescription[] active = [.. nodes.Nodes.Where(n => n.Status == "Active")];
        Assert.Equal(cluster.Nodes.Select(n => n.NodeId), active.Select(n => n.NodeId));
        foreach (NodeDescription node in active)
        {
            TopicPartition[] expected = [.. description.Partitions.Where(p => p.Leader == node.NodeId).Select(p => new TopicPartition(topic, p.Partition))];
            Assert.Equal(expected, node.Leads.Where(p => p.Topic == topic));
            Assert.Equal(expected, node.Holds.Where(p => p.Topic == topic));
            Assert.True(node.DiskUsedBytes > 0, $"{node.NodeId} reports {node.DiskUsedBytes} bytes used");
        }
    }

    [Fact]
    public async Task KilledNode_PartitionsFailFastWithRetriableError_AndServeAllAcknowledgedDataWhenItReturns()
    {
        string topic = "outage-" + Guid.NewGuid().ToString("N")[..8];

        // 1. Write 20 acknowledged records to each of three partitions (one per node).
        var acknowledged = new Dictionary<int, List<string>>();
        await using (ExternalClient client = await cluster.ConnectAsync(Ct))
        {
            await new OrleansLogAdmin(client.Client).CreateTopicAsync(topic, 3, cancellationToken: Ct);
            await using var producer = new OrleansLogProducer(client.Client, new ProducerOptions());
            for (int p = 0; p < 3; p++)
            {
                acknowledged[p] = [];
                for (int i = 0; i < 20; i++)
                {
                    string value = $"p{p}-{i}";
                    RecordMetadata metadata = await producer.ProduceAsync(topic, new Message { Value = System.Text.Encoding.UTF8.GetBytes(value), Partition = p }, Ct);
                    Assert.Equal((p, (long)i), (metadata.Partition, metadata.Offset));
                    acknowledged[p].Add(value);
                }
            }
        }

        // 2. Kill -9 the node that leads partition 0; talk to the cluster through the other two.
        ClusterNode[] survivors;
        ClusterNode victim;
        int[] victimPartitions;
        await using (ExternalClient client = await cluster.ConnectAsync(Ct))
        {
            TopicDescription before = await new OrleansLogAdmin(client.Client).DescribeTopicAsync(topic, Ct);
            victim = cluster.Nodes.Single(n => n.NodeId == before.Partitions[0].Leader);
            survivors = [.. cluster.Nodes.Where(n => n != victim)];
            victimPartitions = [.. before.Partitions.Where(p => p.Leader == victim.NodeId).Select(p => p.Partition)];
        }

        await using ExternalClient survivorClient = await cluster.ConnectAsync(Ct, survivors);
        victim.Silo.Kill();

        // 3. Once membership declares it dead, its partitions answer at once with a retriable error.
        foreach (int p in victimPartitions)
        {
            IPartitionGrain grain = survivorClient.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey());
            AppendResult refused = await Eventually.WaitAsync(
                async () =>
                {
                    // An append in flight to the killed silo would wait Orleans' 30 s response timeout.
                    using var bounded = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                    bounded.CancelAfter(TimeSpan.FromSeconds(3));
                    return await grain.AppendAsync(Batches.Of("while-down"), Acks.All, bounded.Token);
                },
                r => r.Error is ErrorCode.LeaderNotAvailable or ErrorCode.NotLeaderOrFollower,
                Deadline,
                $"{topic}-{p} on killed {victim.NodeId} to refuse appends with LeaderNotAvailable",
                Ct);
            Assert.True(refused.Error.IsRetriable(), $"{refused.Error} must be retriable");
            var clock = Stopwatch.StartNew();
            AppendResult again = await grain.AppendAsync(Batches.Of("while-down"), Acks.All, Ct);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"a refused append took {clock.Elapsed.TotalMilliseconds:0} ms; it must fail fast");
            Assert.Equal(ErrorCode.LeaderNotAvailable, again.Error);
            Assert.Contains(victim.NodeId, again.Message, StringComparison.Ordinal);
        }

        // 4. The other nodes' partitions keep serving, and describe says where the missing ones live.
        int alive = Enumerable.Range(0, 3).First(p => !victimPartitions.Contains(p));
        await using (var producer = new OrleansLogProducer(survivorClient.Client, new ProducerOptions()))
        {
            RecordMetadata metadata = await producer.ProduceAsync(topic, new Message { Value = "during-outage"u8.ToArray(), Partition = alive }, Ct);
            Assert.Equal(20L, metadata.Offset);
        }

        TopicDescription during = await new OrleansLogAdmin(survivorClient.Client).DescribeTopicAsync(topic, Ct);
        foreach (int p in victimPartitions)
        {
            Assert.Equal((victim.NodeId, ErrorCode.LeaderNotAvailable), (during.Partitions[p].Leader, during.Partitions[p].Error));
        }

        // 5. The node returns with the same data directory: every acknowledged record is served again.
        var restart = Stopwatch.StartNew();
        await victim.Silo.StartAsync(ThreeNodeCluster.StartTimeout, Ct);
        foreach (int p in victimPartitions)
        {
            IPartitionGrain grain = survivorClient.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, p).ToGrainKey());
            FetchResult fetched = await Eventually.WaitAsync(
                () => grain.FetchAsync(new FetchRequest(0, 1024 * 1024, 0, 0), Ct),
                r => r.Error == ErrorCode.None,
                Deadline,
                $"{topic}-{p} to serve again from {victim.NodeId}",
                Ct);
            output.WriteLine($"{topic}-{p} serving again {restart.Elapsed.TotalSeconds:0.00} s after the restart began");
            List<(long Offset, string Value)> values = Batches.Values(fetched);
            Assert.Equal(acknowledged[p], values.Select(v => v.Value));
            Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), values.Select(v => v.Offset));
        }

        await using ExternalClient all = await cluster.ConnectAsync(Ct);
        await ThreeNodeCluster.WaitForActiveNodesAsync(all, 3, Ct);
    }

    [Fact]
    public async Task RestartingEverySilo_KeepsTopicsAssignmentsAndCommittedOffsets()
    {
        string topic = "durable-" + Guid.NewGuid().ToString("N")[..8];
        string group = "group-" + Guid.NewGuid().ToString("N")[..8];
        TopicDescription before;

        // 1. A topic with a config override and records, and a group's committed offsets.
        await using (ExternalClient client = await cluster.ConnectAsync(Ct))
        {
            var admin = new OrleansLogAdmin(client.Client);
            await admin.CreateTopicAsync(topic, 4, config: new Dictionary<string, string> { ["retention.ms"] = "86400000" }, cancellationToken: Ct);
            await using (var producer = new OrleansLogProducer(client.Client, new ProducerOptions()))
            {
                await Task.WhenAll(Enumerable.Range(0, 40).Select(i => producer.ProduceAsync(topic, $"k{i}", $"v{i}", Ct)));
            }

            before = await admin.DescribeTopicAsync(topic, Ct);
            OffsetCommitResult commit = await client.Client.GetGrain<IGroupCoordinatorGrain>(group).CommitOffsetsAsync(
                new OffsetCommitRequest(string.Empty, null, -1, [.. before.Partitions.Select(p => new OffsetCommitEntry(new TopicPartition(topic, p.Partition), p.HighWatermark / 2, $"m{p.Partition}"))]),
                Ct);
            Assert.Equal(ErrorCode.None, commit.Error);
        }

        // 2. Stop every silo gracefully, then start them all again.
        await Task.WhenAll(cluster.Nodes.Select(n => n.Silo.StopAsync(ThreeNodeCluster.StartTimeout)));
        await cluster.StartAsync(cluster.Nodes, Ct);

        // 3. Topic, config, assignment, records and offsets are all still there.
        await using ExternalClient again = await cluster.ConnectAsync(Ct);
        var adminAgain = new OrleansLogAdmin(again.Client);
        Assert.Contains(topic, await adminAgain.ListTopicsAsync(Ct));
        TopicDescription after = await Eventually.WaitAsync(
            () => adminAgain.DescribeTopicAsync(topic, Ct),
            d => d.Partitions.All(p => p.Error == ErrorCode.None),
            Deadline,
            $"every partition of {topic} serving after the restart",
            Ct);
        Assert.Equal("86400000", after.Config["retention.ms"]);
        Assert.Equal(
            before.Partitions.Select(p => (p.Partition, p.Leader, p.HighWatermark)),
            after.Partitions.Select(p => (p.Partition, p.Leader, p.HighWatermark)));
        IReadOnlyList<CommittedOffset> offsets = await again.Client.GetGrain<IGroupCoordinatorGrain>(group).FetchOffsetsAsync(null, Ct);
        Assert.Equal(
            before.Partitions.Select(p => (p.Partition, p.HighWatermark / 2, (string?)$"m{p.Partition}")),
            offsets.Where(o => o.Partition.Topic == topic).OrderBy(o => o.Partition.Partition).Select(o => (o.Partition.Partition, o.Offset, o.Metadata)));
    }

    [Fact]
    public async Task NodeJoiningLater_GetsItsShareOfNewTopics()
    {
        ClusterNode late = cluster.AddNode("node-4");
        await late.Silo.StartAsync(ThreeNodeCluster.StartTimeout, Ct);
        try
        {
            string topic = "late-" + Guid.NewGuid().ToString("N")[..8];
            await using ExternalClient client = await cluster.ConnectAsync(Ct);
            await ThreeNodeCluster.WaitForActiveNodesAsync(client, 4, Ct);
            var admin = new OrleansLogAdmin(client.Client);
            await admin.CreateTopicAsync(topic, 8, cancellationToken: Ct);
            await using (var producer = new OrleansLogProducer(client.Client, new ProducerOptions()))
            {
                await Task.WhenAll(Enumerable.Range(0, 8).Select(p => producer.ProduceAsync(topic, new Message { Value = [(byte)p], Partition = p }, Ct)));
            }

            TopicDescription description = await admin.DescribeTopicAsync(topic, Ct);
            int[] led = [.. description.Partitions.Where(p => p.Leader == late.NodeId).Select(p => p.Partition)];
            Assert.Equal(2, led.Length);
            Assert.All(led, p => Assert.True(late.HoldsLog(topic, p), $"{late.NodeId} leads {topic}-{p} but holds no log of it"));
        }
        finally
        {
            await late.Silo.StopAsync(ThreeNodeCluster.StartTimeout);
        }
    }

    [Fact]
    public async Task SecondSilo_OnARunningNodesDataDirectory_RefusesToStart()
    {
        ClusterNode owner = cluster.Nodes[0];
        await using var intruder = new SiloProcess(
            owner.DataDirectory, "--node-id", owner.NodeId, "--postgres", cluster.Database.ConnectionString, "--advertised-host", "127.0.0.1");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => intruder.StartAsync(ThreeNodeCluster.StartTimeout, Ct));

        Assert.Contains($"Data directory {owner.DataDirectory} is in use by another silo", error.Message, StringComparison.Ordinal);
        Assert.True(owner.Silo.IsRunning, $"{owner} must keep running");
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        await ThreeNodeCluster.WaitForActiveNodesAsync(client, 3, Ct);
    }

    private static async Task<List<ConsumeResult>> ConsumeAllAsync(ExternalClient client, string topic, int partitions, int expected)
    {
        await using var consumer = new OrleansLogConsumer(client.Client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var results = new List<ConsumeResult>();
        while (results.Count < expected)
        {
            ConsumeResult? result = await consumer.ConsumeAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.True(result is not null, $"expected {expected} records from {topic}, the consumer went quiet after {results.Count}");
            results.Add(result);
        }

        return results;
    }
}
