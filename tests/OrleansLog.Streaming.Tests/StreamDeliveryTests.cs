using OrleansLog.Integration.Tests.Infrastructure;
using System.Text;
using Orleans.Streams;
using OrleansLog.Client;
using OrleansLog.Groups;
using OrleansLog.Streaming.TestGrains;
using Xunit;

namespace OrleansLog.Streaming.Tests;

/// <summary>
/// Protects delivery through the OrleansLog stream provider against a real silo and real logs: implicit
/// subscribers get every event once and in order, from a client or a grain, one by one or batched; two
/// providers and two namespaces keep their own topics; the records are readable by the client library and
/// records from the client library reach subscribers; the provider's progress is a consumer group's offsets.
/// </summary>
public sealed class StreamDeliveryTests(StreamingCluster cluster) : IClassFixture<StreamingCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ImplicitSubscriber_ReceivesEveryClientEvent_InOrder_WithIncreasingOffsets()
    {
        string key = Key();
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>(Namespaces.Implicit, key);
        for (int i = 0; i < 300; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
        }

        IReadOnlyList<ReceivedEvent> received = await WaitForAsync(key, 300);

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), received.Select(e => e.Sequence));
        Assert.True(received.Zip(received.Skip(1)).All(p => p.Second.Offset > p.First.Offset), "offsets must increase with the events");
        Assert.All(received, e => Assert.Equal(0, e.EventIndex));
    }

    [Fact]
    public async Task BatchedAndGrainProducedEvents_ArriveInOrder_WithTheirIndexInTheBatch()
    {
        string key = Key();
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>(Namespaces.Implicit, key);
        for (int batch = 0; batch < 5; batch++)
        {
            await stream.OnNextBatchAsync(Enumerable.Range(batch * 100, 100).Select(i => new TestEvent(i)).ToList());
        }

        await cluster.Client.GetGrain<IStreamProducerGrain>(key).ProduceAsync(StreamingCluster.Provider, Namespaces.Implicit, key, 500, 50);

        IReadOnlyList<ReceivedEvent> received = await WaitForAsync(key, 550);

        Assert.Equal(Enumerable.Range(0, 550).Select(i => (long)i), received.Select(e => e.Sequence));
        for (int batch = 0; batch < 5; batch++)
        {
            var events = received.Skip(batch * 100).Take(100).ToList();
            Assert.Single(events.Select(e => e.Offset).Distinct());
            Assert.Equal(Enumerable.Range(0, 100), events.Select(e => e.EventIndex));
        }
    }

    [Fact]
    public async Task TwoProvidersAndTwoNamespaces_KeepTheirOwnTopics()
    {
        string key = Key();
        for (int i = 0; i < 20; i++)
        {
            await cluster.Stream<TestEvent>(Namespaces.Implicit, key + "-a").OnNextAsync(new TestEvent(i));
            await cluster.Stream<TestEvent>(Namespaces.Second, key + "-b").OnNextAsync(new TestEvent(100 + i));
            await cluster.Stream<TestEvent>(Namespaces.Implicit, key + "-c", StreamingCluster.OtherProvider).OnNextAsync(new TestEvent(200 + i));
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), (await WaitForAsync(key + "-a", 20)).Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(100, 20).Select(i => (long)i), (await WaitForAsync(key + "-b", 20)).Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(200, 20).Select(i => (long)i), (await WaitForAsync(key + "-c", 20)).Select(e => e.Sequence));

        IReadOnlyList<string> topics = await new OrleansLogAdmin(cluster.Client).ListTopicsAsync(TestContext.Current.CancellationToken);
        Assert.Contains(Namespaces.Implicit, topics);
        Assert.Contains(Namespaces.Second, topics);
        Assert.Contains("other-implicit", topics);
    }

    [Fact]
    public async Task ClientLibraryRecords_WithTheStreamKey_ReachTheStreamsSubscriber()
    {
        string key = Key();
        await cluster.EnsureTopicAsync(Namespaces.Raw, 2);
        await using (var producer = new OrleansLogProducer(cluster.Client, new ProducerOptions()))
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(Namespaces.Raw, key, $"plain-{i}", TestContext.Current.CancellationToken);
            }
        }

        IReadOnlyList<ReceivedEvent> received = await WaitForAsync(key, 10, "RawSubscriberGrain");

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"plain-{i}"), received.Select(e => e.Raw));
    }

    [Fact]
    public async Task StreamEvents_AreRecordsTheClientLibraryCanRead_KeyedByStreamAndTyped()
    {
        string key = Key();
        await cluster.Stream<TestEvent>(Namespaces.Second, key).OnNextAsync(new TestEvent(7, "payload"));
        await WaitForAsync(key, 1);

        int partition = Murmur2Partitioner.PartitionForKey(Encoding.UTF8.GetBytes(key), 2);
        await using var consumer = new OrleansLogConsumer(cluster.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(Namespaces.Second, partition, 0)]);
        ConsumeResult? record = null;
        await Eventually.WaitAsync(
            async () =>
            {
                ConsumeResult? next = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
                if (next is not null && next.KeyAsString() == key)
                {
                    record = next;
                }

                return record is not null;
            },
            found => found,
            Deadline,
            $"the record of stream {Namespaces.Second}/{key} in partition {partition}",
            TestContext.Current.CancellationToken);

        Assert.Equal(key, record!.KeyAsString());
        Assert.Contains(record.Headers, h => h.GetKeyString() == "orleans.type" && Encoding.UTF8.GetString(h.Value.Span) == typeof(TestEvent).FullName);
        Assert.Contains(record.Headers, h => h.GetKeyString() == "orleans.ns" && Encoding.UTF8.GetString(h.Value.Span) == Namespaces.Second);
    }

    [Fact]
    public async Task ProvidersProgress_IsCommittedAsTheConsumerGroupsOffset()
    {
        string key = Key();
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>(Namespaces.Second, key);
        for (int i = 0; i < 50; i++)
        {
            await stream.OnNextAsync(new TestEvent(i));
        }

        IReadOnlyList<ReceivedEvent> received = await WaitForAsync(key, 50);
        int partition = Murmur2Partitioner.PartitionForKey(Encoding.UTF8.GetBytes(key), 2);
        var coordinator = cluster.Client.GetGrain<IGroupCoordinatorGrain>("orleans-streams-" + StreamingCluster.Provider);

        IReadOnlyList<CommittedOffset> committed = await Eventually.WaitAsync(
            () => coordinator.FetchOffsetsAsync([new TopicPartition(Namespaces.Second, partition)]),
            offsets => offsets.Count == 1 && offsets[0].Offset > received[^1].Offset,
            Deadline,
            $"a committed offset above {received[^1].Offset} for {Namespaces.Second}-{partition}",
            offsets => string.Join(", ", offsets.Select(o => o.Offset)),
            TestContext.Current.CancellationToken);

        Assert.StartsWith("orleans-streams:", committed[0].Metadata);
    }

    private Task<IReadOnlyList<ReceivedEvent>> WaitForAsync(string key, int count, string grainClass = "ImplicitSubscriberGrain") =>
        cluster.WaitForAsync(key, count, grainClass, Deadline);

    private static string Key([System.Runtime.CompilerServices.CallerMemberName] string test = "") =>
        test[..Math.Min(20, test.Length)] + "-" + Guid.NewGuid().ToString("N")[..6];
}
