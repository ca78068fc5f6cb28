using System.Diagnostics;
using OrleansLog.Grains;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects the partition grain's contract against a real in-process silo: offsets assigned densely
/// and in order, long-poll fetch woken by appends, idempotent retries answered with the original
/// result, and bad batches rejected with Kafka's code while the log stays unchanged.
/// </summary>
public sealed class PartitionGrainTests(InProcessBroker broker) : IClassFixture<InProcessBroker>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Append_AssignsDenseOffsets_AndFetchReturnsRecordsInOrder()
    {
        IPartitionGrain partition = await NewPartitionAsync();

        AppendResult first = await partition.AppendAsync(Batches.Of("a", "b", "c"), Acks.Leader, Ct);
        AppendResult second = await partition.AppendAsync(Batches.Of("d"), Acks.All, Ct);

        Assert.Equal((ErrorCode.None, 0L, 2L), (first.Error, first.BaseOffset, first.LastOffset));
        Assert.Equal((ErrorCode.None, 3L, 3L), (second.Error, second.BaseOffset, second.LastOffset));
        FetchResult fetch = await partition.FetchAsync(new FetchRequest(0, 1 << 20, 1, 0), Ct);
        Assert.Equal(ErrorCode.None, fetch.Error);
        Assert.Equal(4, fetch.HighWatermark);
        Assert.Equal(4, fetch.NextOffset);
        Assert.Equal([(0L, "a"), (1L, "b"), (2L, "c"), (3L, "d")], Batches.Values(fetch));
    }

    [Fact]
    public async Task Fetch_AtHighWatermark_WaitsAndIsWokenByTheNextAppend()
    {
        IPartitionGrain partition = await NewPartitionAsync();
        await partition.AppendAsync(Batches.Of("first"), Acks.Leader, Ct);

        var clock = Stopwatch.StartNew();
        Task<FetchResult> waiting = partition.FetchAsync(new FetchRequest(1, 1 << 20, 1, 20_000), Ct);
        await Task.Delay(200, Ct);
        Assert.False(waiting.IsCompleted, "a fetch at the high watermark must wait for data");
        AppendResult appended = await partition.AppendAsync(Batches.Of("second"), Acks.Leader, Ct);
        FetchResult fetch = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(1, appended.BaseOffset);
        Assert.Equal([(1L, "second")], Batches.Values(fetch));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the fetch was woken by the append, not by its 20 s timeout ({clock.Elapsed})");
    }

    [Fact]
    public async Task Fetch_WithNoData_ReturnsEmptyAfterMaxWait()
    {
        IPartitionGrain partition = await NewPartitionAsync();

        FetchResult fetch = await partition.FetchAsync(new FetchRequest(0, 1 << 20, 1, 100), Ct);

        Assert.Equal(ErrorCode.None, fetch.Error);
        Assert.Equal(0, fetch.Records.Length);
        Assert.Equal(0, fetch.NextOffset);
    }

    [Fact]
    public async Task ConcurrentLongPolls_DoNotBlockAppends()
    {
        IPartitionGrain partition = await NewPartitionAsync();

        // 20 fetches wait for a megabyte that never comes, for up to 5 s each, while appends go on.
        var polls = Enumerable.Range(0, 20).Select(_ => partition.FetchAsync(new FetchRequest(0, 1 << 20, 1 << 20, 5_000), Ct)).ToArray();
        for (int i = 0; i < 6; i++)
        {
            AppendResult result = await partition.AppendAsync(Batches.Of($"v{i}"), Acks.Leader, Ct).WaitAsync(TimeSpan.FromSeconds(2), Ct);
            Assert.Equal(i, result.BaseOffset);
        }

        Assert.All(polls, p => Assert.False(p.IsCompleted, "minBytes is not reached, so every fetch is still waiting"));
        FetchResult[] results = await Task.WhenAll(polls).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.All(results, r => Assert.Equal(6, Batches.Values(r).Count));
    }

    [Fact]
    public async Task IdempotentRetry_GetsTheOriginalResult_AndAppendsNothing()
    {
        IPartitionGrain partition = await NewPartitionAsync();
        ProducerIdAndEpoch producer = await broker.Client.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync(Ct);

        AppendResult original = await partition.AppendAsync(Batches.Of(producer.ProducerId, producer.Epoch, 0, "x", "y"), Acks.All, Ct);
        AppendResult retry = await partition.AppendAsync(Batches.Of(producer.ProducerId, producer.Epoch, 0, "x", "y"), Acks.All, Ct);
        AppendResult next = await partition.AppendAsync(Batches.Of(producer.ProducerId, producer.Epoch, 2, "z"), Acks.All, Ct);

        Assert.Equal(ErrorCode.None, retry.Error);
        Assert.Equal((original.BaseOffset, original.LastOffset), (retry.BaseOffset, retry.LastOffset));
        Assert.Equal(2, next.BaseOffset);
        PartitionDescription described = await partition.DescribeAsync(Ct);
        Assert.Equal(3, described.LogEndOffset);
    }

    [Fact]
    public async Task IdempotentProducer_SequenceGap_IsOutOfOrderSequence_AndStaleEpochIsFenced()
    {
        IPartitionGrain partition = await NewPartitionAsync();
        ProducerIdAndEpoch producer = await broker.Client.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync(Ct);
        await partition.AppendAsync(Batches.Of(producer.ProducerId, 1, 0, "a"), Acks.All, Ct);

        AppendResult gap = await partition.AppendAsync(Batches.Of(producer.ProducerId, 1, 5, "b"), Acks.All, Ct);
        AppendResult stale = await partition.AppendAsync(Batches.Of(producer.ProducerId, 0, 1, "c"), Acks.All, Ct);

        // A gap that is still there after the leader waited for the missing batches is Kafka's error.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Contains("expected 1, actual 5", gap.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidProducerEpoch, stale.Error);
        Assert.Equal(1, (await partition.DescribeAsync(Ct)).LogEndOffset);
    }

    [Fact]
    public async Task IdempotentBatch_ThatOvertookAnEarlierOne_IsHeldBack_AndStoredInSequenceOrder()
    {
        IPartitionGrain partition = await NewPartitionAsync();
        ProducerIdAndEpoch producer = await broker.Client.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync(Ct);
        await partition.AppendAsync(Batches.Of(producer.ProducerId, producer.Epoch, 0, "a"), Acks.All, Ct);

        // Orleans may deliver concurrent calls out of order: here the third batch arrives before the second.
        Task<AppendResult> third = partition.AppendAsync(Batches.Of(producer.ProducerId, producer.Epoch, 2, "c"), Acks.All, Ct);
        Assert.False(third.IsCompleted, "a batch ahead of its predecessor waits for it instead of being rejected");
        AppendResult second = await partition.AppendAsync(Batches.Of(producer.ProducerId, producer.Epoch, 1, "b"), Acks.All, Ct);
        AppendResult thirdResult = await third.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal((ErrorCode.None, 1L), (second.Error, second.BaseOffset));
        Assert.Equal((ErrorCode.None, 2L), (thirdResult.Error, thirdResult.BaseOffset));
        FetchResult fetch = await partition.FetchAsync(new FetchRequest(0, 1 << 20, 1, 0), Ct);
        Assert.Equal([(0L, "a"), (1L, "b"), (2L, "c")], Batches.Values(fetch));
    }

    [Fact]
    public async Task ProducerIds_AreUnique()
    {
        IProducerIdGrain ids = broker.Client.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key);
        var seen = new HashSet<long>();
        for (int i = 0; i < 50; i++)
        {
            Assert.True(seen.Add((await ids.InitProducerIdAsync(Ct)).ProducerId));
        }
    }

    [Fact]
    public async Task ListOffsets_GivesEarliestLatestAndByTimestamp()
    {
        IPartitionGrain partition = await NewPartitionAsync();
        await partition.AppendAsync(Batches.Of("a", "b"), Acks.Leader, Ct);
        long before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(20, Ct);
        await partition.AppendAsync(Batches.Of("c"), Acks.Leader, Ct);

        Assert.Equal(0, (await partition.ListOffsetsAsync(OffsetSpec.Earliest, Ct)).Offset);
        Assert.Equal(3, (await partition.ListOffsetsAsync(OffsetSpec.Latest, Ct)).Offset);
        Assert.Equal(2, (await partition.ListOffsetsAsync(before + 1, Ct)).Offset);
        Assert.Equal(-1, (await partition.ListOffsetsAsync(before + 3_600_000, Ct)).Offset);
    }

    private async Task<IPartitionGrain> NewPartitionAsync()
    {
        string topic = "t-" + Guid.NewGuid().ToString("N")[..10];
        AdminResult created = await broker.Client.GetGrain<ITopicGrain>(topic).CreateAsync(1, null, Ct);
        Assert.True(created.IsSuccess, created.Message);
        return broker.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey());
    }
}
