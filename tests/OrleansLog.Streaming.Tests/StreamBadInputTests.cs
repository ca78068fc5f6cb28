using OrleansLog.Integration.Tests.Infrastructure;
using System.Text;
using Orleans.Streams;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Streaming.TestGrains;
using Xunit;

namespace OrleansLog.Streaming.Tests;

/// <summary>
/// Protects the provider against bad input: an unmapped namespace, an event Orleans cannot serialize and an
/// event above the topic's max.message.bytes are refused with an error naming what was wrong, write nothing
/// and leave the stream working; an event whose subscriber keeps throwing goes to the dead-letter topic, with
/// headers naming its source, and delivery moves on.
/// </summary>
public sealed class StreamBadInputTests(StreamingCluster cluster) : IClassFixture<StreamingCluster>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AStreamOfAnUnmappedNamespace_IsRefused_NamingTheNamespaceAndTheMappedOnes()
    {
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>("not-mapped", "k");

        var error = await Assert.ThrowsAsync<UnknownStreamNamespaceException>(() => stream.OnNextAsync(new TestEvent(0)));

        Assert.Contains("'not-mapped'", error.Message);
        Assert.Contains($"'{Namespaces.Implicit}'", error.Message);
        Assert.Contains($"'{StreamingCluster.Provider}'", error.Message);
    }

    [Fact]
    public async Task AnEventOrleansCannotSerialize_IsRefused_WritesNothing_AndTheStreamGoesOn()
    {
        string key = "noser-" + Guid.NewGuid().ToString("N")[..6];
        long before = await LogEndAsync("small", 0);

        var error = await Assert.ThrowsAsync<StreamEventSerializationException>(
            () => cluster.Stream<object>("small", key).OnNextAsync(new NotSerializable(1)));

        Assert.Contains(typeof(NotSerializable).FullName!, error.Message);
        Assert.Contains(key, error.Message);
        Assert.Equal(before, await LogEndAsync("small", 0));
        await cluster.Stream<TestEvent>("small", key + "-typed").OnNextAsync(new TestEvent(1));
        Assert.Equal(before + 1, await LogEndAsync("small", 0));
    }

    [Fact]
    public async Task AnEventAboveMaxMessageBytes_IsRefusedWithMessageTooLarge_AndTheNextOnesAreStored()
    {
        string key = "big-" + Guid.NewGuid().ToString("N")[..6];
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>("small", key);
        long before = await LogEndAsync("small", 0);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => stream.OnNextAsync(new TestEvent(0, new string('x', 5000))));

        Assert.Equal(ErrorCode.MessageTooLarge, error.Error);
        Assert.Contains("small-0", error.Message);
        Assert.Contains(key, error.Message);
        Assert.Equal(before, await LogEndAsync("small", 0));
        await stream.OnNextAsync(new TestEvent(1, "fits"));
        Assert.Equal(before + 1, await LogEndAsync("small", 0));
    }

    [Fact]
    public async Task AnEventItsSubscriberKeepsRejecting_GoesToTheDeadLetterTopic_AndDeliveryMovesOn()
    {
        string key = "poison-" + Guid.NewGuid().ToString("N")[..6];
        IAsyncStream<TestEvent> stream = cluster.Stream<TestEvent>(Namespaces.Poison, key);
        await stream.OnNextAsync(new TestEvent(0, "fine"));
        await stream.OnNextAsync(new TestEvent(1, "poison"));
        await stream.OnNextAsync(new TestEvent(2, "fine"));

        IReadOnlyList<ReceivedEvent> received = await cluster.WaitForAsync(key, 2, "PoisonSubscriberGrain", Deadline);
        Assert.Equal([0L, 2L], received.Select(e => e.Sequence));

        await using var consumer = new OrleansLogConsumer(cluster.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(StreamingCluster.DeadLetterTopic, 0, 0)]);
        ConsumeResult dead = await Eventually.WaitAsync(
            async () =>
            {
                ConsumeResult? next = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken);
                while (next is not null && next.KeyAsString() != key)
                {
                    next = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken);
                }

                return next!;
            },
            record => record is not null,
            Deadline,
            $"the poison event of stream {key} in topic {StreamingCluster.DeadLetterTopic}",
            TestContext.Current.CancellationToken);

        string Header(string name) => Encoding.UTF8.GetString(dead.Headers.Last(h => h.GetKeyString() == name).Value.Span);
        Assert.Equal(Namespaces.Poison, Header("orleans.dlq.topic"));
        Assert.Equal("0", Header("orleans.dlq.partition"));
        Assert.Equal(received[0].Offset + 1, long.Parse(Header("orleans.dlq.offset"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(typeof(TestEvent).FullName, Header("orleans.type"));
    }

    private async Task<long> LogEndAsync(string topic, int partition)
    {
        await cluster.EnsureTopicAsync(topic, 1);
        ListOffsetsResult end = await cluster.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition).ToGrainKey())
            .ListOffsetsAsync(OffsetSpec.Latest, TestContext.Current.CancellationToken);
        return end.Offset;
    }

    /// <summary>A type with no Orleans codec.</summary>
    private sealed class NotSerializable(int value)
    {
        public int Value { get; } = value;
    }
}
