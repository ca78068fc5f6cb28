using System.Text;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects the client against a real silo: records produced to several partitions come back from the
/// consumer complete, in order per partition, with keys on the partition Java's murmur2 chooses.
/// </summary>
public sealed class ClientRoundTripTests(InProcessBroker broker) : IClassFixture<InProcessBroker>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ProducedRecords_AreConsumedCompletely_InOrderPerPartition()
    {
        string topic = "rt-" + Guid.NewGuid().ToString("N")[..8];
        var admin = new OrleansLogAdmin(broker.Client);
        await admin.CreateTopicAsync(topic, 4, cancellationToken: Ct);

        var acknowledged = new List<RecordMetadata>();
        await using (var producer = new OrleansLogProducer(broker.Client, new ProducerOptions { Linger = TimeSpan.FromMilliseconds(2) }))
        {
            var pending = new List<Task<RecordMetadata>>();
            for (int i = 0; i < 2000; i++)
            {
                pending.Add(producer.ProduceAsync(topic, $"key-{i % 37}", $"value-{i}", Ct));
            }

            acknowledged.AddRange(await Task.WhenAll(pending));
        }

        var consumed = await ConsumeAsync(topic, 4, expected: 2000);

        Assert.Equal(2000, consumed.Count);
        foreach (IGrouping<int, ConsumeResult> partition in consumed.GroupBy(r => r.Partition))
        {
            long[] offsets = partition.Select(r => r.Offset).ToArray();
            Assert.Equal(Enumerable.Range(0, offsets.Length).Select(i => (long)i), offsets);
            int[] sequence = partition.Select(r => int.Parse(r.ValueAsString()!.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(sequence.Order(), sequence);
        }

        foreach (ConsumeResult record in consumed)
        {
            RecordMetadata metadata = acknowledged[int.Parse(record.ValueAsString()!.AsSpan(6), System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal((metadata.Partition, metadata.Offset), (record.Partition, record.Offset));
            Assert.Equal(Murmur2Partitioner.PartitionForKey(record.Key, 4), record.Partition);
        }
    }

    [Theory]
    [InlineData("21", 0)]
    [InlineData("foobar", 2)]
    [InlineData("a-little-bit-long-string", 0)]
    [InlineData("abc", 3)]
    public async Task KeyedRecords_LandOnThePartitionJavaWouldChoose(string key, int expectedPartition)
    {
        // toPositive(murmur2(key)) % 4 with Kafka's published murmur2 values:
        // "21" → -973932308, "foobar" → -790332482, "a-little-bit-long-string" → -985981536, "abc" → 479470107.
        string topic = "key-" + Guid.NewGuid().ToString("N")[..8];
        await new OrleansLogAdmin(broker.Client).CreateTopicAsync(topic, 4, cancellationToken: Ct);
        await using var producer = new OrleansLogProducer(broker.Client, new ProducerOptions());

        RecordMetadata metadata = await producer.ProduceAsync(topic, new Message { Key = Encoding.UTF8.GetBytes(key), Value = [1] }, Ct);

        Assert.Equal(expectedPartition, metadata.Partition);
    }

    [Fact]
    public async Task Consumer_SeekToTimestamp_AndOffsetOutOfRange_FollowKafkaRules()
    {
        string topic = "seek-" + Guid.NewGuid().ToString("N")[..8];
        await new OrleansLogAdmin(broker.Client).CreateTopicAsync(topic, 1, cancellationToken: Ct);
        await using (var producer = new OrleansLogProducer(broker.Client, new ProducerOptions()))
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync(topic, null, $"v{i}", Ct);
            }
        }

        await using var consumer = new OrleansLogConsumer(broker.Client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Assign([new TopicPartitionOffset(topic, 0, 1000)]);
        ConsumeResult? first = await consumer.ConsumeAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.NotNull(first);
        Assert.Equal((0L, "v0"), (first.Offset, first.ValueAsString()));
    }

    private async Task<List<ConsumeResult>> ConsumeAsync(string topic, int partitions, int expected)
    {
        await using var consumer = new OrleansLogConsumer(broker.Client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var results = new List<ConsumeResult>();
        while (results.Count < expected)
        {
            ConsumeResult? result = await consumer.ConsumeAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.True(result is not null, $"expected {expected} records, the consumer went quiet after {results.Count}");
            results.Add(result);
        }

        return results;
    }
}
