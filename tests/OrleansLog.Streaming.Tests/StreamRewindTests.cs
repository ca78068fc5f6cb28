using OrleansLog.Integration.Tests.Infrastructure;
using Orleans.Streams;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Streaming.TestGrains;
using Xunit;

namespace OrleansLog.Streaming.Tests;

/// <summary>
/// Protects rewind: a subscription from any retained offset gets every event from there exactly once and in
/// order — from the log when the cache (256 containers here) no longer holds them — and then joins the live
/// flow without a gap or a duplicate; EarliestAvailable starts at the log start; an offset retention removed
/// is reported to the subscriber once, naming stream, offset and log start, and delivery goes on from there.
/// </summary>
public sealed class StreamRewindTests(StreamingCluster cluster) : IClassFixture<StreamingCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SubscribingFromAnOldToken_AfterMoreEventsThanTheCacheHolds_DeliversEachOnceInOrder_ThenTheLiveOnes()
    {
        // 1. 200,000 events of one stream in batches of 100 (2,000 containers, the cache holds 256), with one
        //    event of another stream after each batch on the same single partition: event i is at offset i + i/100.
        string key = "rewind-" + Guid.NewGuid().ToString("N")[..6];
        string other = key + "-other";
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>(Namespaces.Explicit, key);
        IAsyncStream<TestEvent> noise = cluster.Stream<TestEvent>(Namespaces.Explicit, other);
        long start = await LogEndAsync(Namespaces.Explicit);
        const int total = 200_000;
        for (int batch = 0; batch < total / 100; batch++)
        {
            await stream.OnNextBatchAsync(Enumerable.Range(batch * 100, 100).Select(i => new TestEvent(i)).ToList());
            await noise.OnNextAsync(new TestEvent(-batch));
        }

        // 2. Subscribe from event 50,000's offset.
        const int from = 50_000;
        long fromOffset = start + from + (from / 100);
        var subscriber = cluster.Client.GetGrain<IExplicitSubscriberGrain>(key);
        await subscriber.SubscribeAsync(StreamingCluster.Provider, Namespaces.Explicit, fromOffset, earliest: false);
        await cluster.WaitForAsync(key, total - from, "ExplicitSubscriberGrain", Deadline);

        // 3. Then live events, one by one.
        for (int i = total; i < total + 500; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
        }

        IReadOnlyList<ReceivedEvent> received = await cluster.WaitForAsync(key, total - from + 500, "ExplicitSubscriberGrain", Deadline);
        await Task.Yield();
        Assert.Equal(total - from + 500, await subscriber.CountAsync());
        Assert.Equal(Enumerable.Range(from, total - from + 500).Select(i => (long)i), received.Select(e => e.Sequence));
        Assert.Empty(await subscriber.GetErrorsAsync());
    }

    [Fact]
    public async Task EarliestAvailable_StartsAtTheLogStart_NotTheCacheStart()
    {
        string key = "earliest-" + Guid.NewGuid().ToString("N")[..6];
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>(Namespaces.Explicit, key);
        for (int i = 0; i < 10; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
        }

        // Push the window well past those ten.
        IAsyncStream<TestEvent> noise = cluster.Stream<TestEvent>(Namespaces.Explicit, key + "-noise");
        for (int i = 0; i < StreamingCluster.CacheSize * 2; i++)
        {
            await noise.OnNextAsync(new TestEvent(i));
        }

        var subscriber = cluster.Client.GetGrain<IExplicitSubscriberGrain>(key);
        await subscriber.SubscribeAsync(StreamingCluster.Provider, Namespaces.Explicit, fromOffset: null, earliest: true);
        await stream.OnNextAsync(new TestEvent(10));

        IReadOnlyList<ReceivedEvent> received = await cluster.WaitForAsync(key, 11, "ExplicitSubscriberGrain", Deadline);
        Assert.Equal(Enumerable.Range(0, 11).Select(i => (long)i), received.Select(e => e.Sequence));
    }

    [Fact]
    public async Task ATokenBelowTheLogStart_IsReportedOnce_ThenDeliveryStartsAtTheLogStart()
    {
        // 1. Twenty events, then enough of another stream that the cache window moves past them, all read by the queue.
        string key = "gone-" + Guid.NewGuid().ToString("N")[..6];
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>(Namespaces.Explicit, key);
        long start = await LogEndAsync(Namespaces.Explicit);
        for (int i = 0; i < 20; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
        }

        IAsyncStream<TestEvent> noise = cluster.Stream<TestEvent>(Namespaces.Explicit, key + "-noise");
        for (int i = 0; i < StreamingCluster.CacheSize * 2; i++)
        {
            await noise.OnNextAsync(new TestEvent(i));
        }

        long end = await LogEndAsync(Namespaces.Explicit);
        var coordinator = cluster.Client.GetGrain<OrleansLog.Groups.IGroupCoordinatorGrain>("orleans-streams-" + StreamingCluster.Provider);
        await Eventually.WaitAsync(
            () => coordinator.FetchOffsetsAsync([new TopicPartition(Namespaces.Explicit, 0)]),
            offsets => offsets.Count == 1 && offsets[0].Offset >= end,
            Deadline,
            $"the queue of {Namespaces.Explicit}-0 to have read up to {end}",
            offsets => string.Join(", ", offsets.Select(o => o.Offset)),
            TestContext.Current.CancellationToken);

        // 2. Retention (here DeleteRecords) removes the first ten; 3. a subscription asks for the first.
        long logStart = start + 10;
        AdminResult deleted = await cluster.Client.GetGrain<IPartitionGrain>(new TopicPartition(Namespaces.Explicit, 0).ToGrainKey())
            .DeleteRecordsBeforeAsync(logStart, TestContext.Current.CancellationToken);
        Assert.True(deleted.IsSuccess, deleted.Message);

        var subscriber = cluster.Client.GetGrain<IExplicitSubscriberGrain>(key);
        await subscriber.SubscribeAsync(StreamingCluster.Provider, Namespaces.Explicit, start, earliest: false);
        await stream.OnNextAsync(new TestEvent(20));

        IReadOnlyList<ReceivedEvent> received = await cluster.WaitForAsync(key, 11, "ExplicitSubscriberGrain", Deadline);
        Assert.Equal(Enumerable.Range(10, 11).Select(i => (long)i), received.Select(e => e.Sequence));
        string error = Assert.Single(await subscriber.GetErrorsAsync());
        Assert.Contains(nameof(StreamOffsetOutOfRangeException), error);
        Assert.Contains($"offset {start} of {Namespaces.Explicit}-0", error);
        Assert.Contains($"log start {logStart}", error);
        Assert.Contains(key, error);
    }

    private async Task<long> LogEndAsync(string topic)
    {
        await cluster.EnsureTopicAsync(topic, 1);
        ListOffsetsResult end = await cluster.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, 0).ToGrainKey())
            .ListOffsetsAsync(OffsetSpec.Latest, TestContext.Current.CancellationToken);
        return end.Offset;
    }
}
