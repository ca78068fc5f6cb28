using OrleansLog.Grains;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects topic administration end to end: create, list, describe with per-partition offsets, alter
/// config reaching the partitions, add partitions, and delete removing the data from disk; and a topic
/// deleted and created again under the same name serves long-polling fetches that wait, not spin, and its
/// consumer groups no longer hold offsets of the deleted one.
/// </summary>
public sealed class TopicLifecycleTests(InProcessBroker broker) : IClassFixture<InProcessBroker>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateDescribeAddPartitionsDelete_WorkTogether()
    {
        string topic = "life-" + Guid.NewGuid().ToString("N")[..8];
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);
        Assert.True((await grain.CreateAsync(2, new Dictionary<string, string> { ["retention.ms"] = "60000" }, Ct)).IsSuccess);
        Assert.Contains(topic, await broker.Client.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).ListAsync(Ct));
        await Part(topic, 1).AppendAsync(Batches.Of("a", "b"), Acks.Leader, Ct);

        DescribeTopicResult described = await grain.DescribeAsync(Ct);
        Assert.Equal(ErrorCode.None, described.Error);
        Assert.Equal("60000", described.Topic!.Config["retention.ms"]);
        Assert.Equal([0L, 2L], described.Topic.Partitions.Select(p => p.HighWatermark).ToArray());

        Assert.True((await grain.AddPartitionsAsync(4, Ct)).IsSuccess);
        Assert.Equal(0, (await Part(topic, 3).AppendAsync(Batches.Of("new"), Acks.Leader, Ct)).BaseOffset);
        Assert.Equal(4, (await grain.DescribeAsync(Ct)).Topic!.Partitions.Count);

        string partitionDirectory = Path.Combine(broker.DataDirectory, "logs", $"{topic}-1");
        Assert.True(Directory.Exists(partitionDirectory));
        Assert.True((await grain.DeleteAsync(Ct)).IsSuccess);
        Assert.False(Directory.Exists(partitionDirectory), "deleting a topic removes its partitions' data");
        Assert.DoesNotContain(topic, await broker.Client.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).ListAsync(Ct));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, (await Part(topic, 1).AppendAsync(Batches.Of("x"), Acks.Leader, Ct)).Error);

        // The name is free again, and the new topic starts from offset 0.
        Assert.True((await grain.CreateAsync(2, null, Ct)).IsSuccess);
        Assert.Equal(0, (await Part(topic, 1).AppendAsync(Batches.Of("again"), Acks.Leader, Ct)).BaseOffset);
    }

    [Fact]
    public async Task ARecreatedTopic_LongPollingFetches_WaitForData_NotReturnAtOnce()
    {
        string topic = "again-" + Guid.NewGuid().ToString("N")[..8];
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);
        Assert.True((await grain.CreateAsync(1, null, Ct)).IsSuccess);
        await Part(topic, 0).AppendAsync(Batches.Of("old"), Acks.Leader, Ct);
        FetchResult waiting = await Part(topic, 0).FetchAsync(new FetchRequest(1, 1024, 1, 50), Ct);
        Assert.Equal(ErrorCode.None, waiting.Error);
        Assert.True((await grain.DeleteAsync(Ct)).IsSuccess);
        Assert.True((await grain.CreateAsync(1, null, Ct)).IsSuccess);
        Assert.Equal(0, (await Part(topic, 0).AppendAsync(Batches.Of("new"), Acks.Leader, Ct)).BaseOffset);

        // An idle consumer at the log end: each fetch must wait its 300 ms for data, as on a fresh topic.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int fetches = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            FetchResult result = await Part(topic, 0).FetchAsync(new FetchRequest(1, 1024, 1, 300), Ct);
            Assert.Equal(ErrorCode.None, result.Error);
            Assert.Equal(0, result.Records.Length);
            fetches++;
        }

        Assert.True(fetches <= 6, $"{fetches} fetches returned in 1.5 s: a long-poll of 300 ms must wait for data, not return at once");
    }

    [Fact]
    public async Task DeletingATopic_RemovesItsConsumerGroupsCommittedOffsets()
    {
        string topic = "grouped-" + Guid.NewGuid().ToString("N")[..8];
        string other = topic + "-other";
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);
        Assert.True((await grain.CreateAsync(1, null, Ct)).IsSuccess);
        Assert.True((await broker.Client.GetGrain<ITopicGrain>(other).CreateAsync(1, null, Ct)).IsSuccess);
        await Part(topic, 0).AppendAsync(Batches.Of("a", "b", "c"), Acks.Leader, Ct);
        var group = broker.Client.GetGrain<OrleansLog.Groups.IGroupCoordinatorGrain>("readers-" + topic);
        var deleted = new TopicPartition(topic, 0);
        var kept = new TopicPartition(other, 0);
        OrleansLog.Groups.OffsetCommitResult commit = await group.CommitOffsetsAsync(
            new OrleansLog.Groups.OffsetCommitRequest(string.Empty, null, -1, [new(deleted, 3, null), new(kept, 0, null)]), Ct);
        Assert.Equal(ErrorCode.None, commit.Error);
        await Eventually.WaitAsync(
            () => broker.Client.GetGrain<OrleansLog.Groups.IGroupRegistryGrain>(OrleansLog.Groups.IGroupRegistryGrain.Key).ListAsync(Ct),
            groups => groups.Contains("readers-" + topic), TimeSpan.FromSeconds(10), "the group in the registry", Ct);

        Assert.True((await grain.DeleteAsync(Ct)).IsSuccess);

        IReadOnlyList<OrleansLog.Groups.CommittedOffset> offsets = await group.FetchOffsetsAsync(null, Ct);
        Assert.Equal([kept], offsets.Select(o => o.Partition));
    }

    [Fact]
    public async Task Retention_AdvancesLogStartOffset_VisibleInDescribe()
    {
        string topic = "ret-" + Guid.NewGuid().ToString("N")[..8];
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);
        await grain.CreateAsync(1, new Dictionary<string, string> { ["segment.bytes"] = "1024", ["retention.bytes"] = "2048" }, Ct);
        for (int i = 0; i < 40; i++)
        {
            await Part(topic, 0).AppendAsync(Batches.Of(new string('r', 200)), Acks.Leader, Ct);
        }

        // The broker fixture checks retention every 200 ms.
        PartitionDescription after = await Eventually.WaitAsync(
            async () => (await grain.DescribeAsync(Ct)).Topic!.Partitions[0],
            p => p.LogStartOffset > 0 && p.SizeBytes <= 2048 + 1024,
            TimeSpan.FromSeconds(15),
            "retention.bytes=2048 to delete old segments and advance the log start offset",
            Ct);
        Assert.Equal(40, after.LogEndOffset);
    }

    [Fact]
    public async Task AlterConfig_ReachesThePartitions()
    {
        string topic = "alt-" + Guid.NewGuid().ToString("N")[..8];
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);
        await grain.CreateAsync(1, null, Ct);
        await Part(topic, 0).AppendAsync(Batches.Of("small"), Acks.Leader, Ct);

        Assert.True((await grain.AlterConfigAsync(new Dictionary<string, string> { ["max.message.bytes"] = "100" }, Ct)).IsSuccess);

        AppendResult rejected = await Part(topic, 0).AppendAsync(Batches.Of(new string('x', 300)), Acks.Leader, Ct);
        Assert.Equal(ErrorCode.MessageTooLarge, rejected.Error);
        Assert.Equal("100", (await grain.DescribeAsync(Ct)).Topic!.Config["max.message.bytes"]);
    }

    private IPartitionGrain Part(string topic, int partition) =>
        broker.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition).ToGrainKey());
}
