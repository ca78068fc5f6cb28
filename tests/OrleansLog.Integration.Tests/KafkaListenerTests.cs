using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;
using Kafka = Confluent.Kafka;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects the Kafka listener of a real silo process against a real Kafka client (librdkafka through
/// Confluent.Kafka): its metadata lists the topic's partitions and refuses an unknown topic; records a
/// Kafka producer writes are what the Orleans consumer reads, with keys, headers and offsets; records the
/// Orleans producer writes are what a Kafka consumer reads from the earliest offset; and a frame that
/// announces more than socket.request.max.bytes closes only its own connection.
/// </summary>
public sealed class KafkaListenerTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private KafkaSilo _kafka = null!;

    private string Bootstrap => _kafka.Bootstrap;

    public async ValueTask InitializeAsync() => _kafka = await KafkaSilo.StartAsync("kafka", "mixed", 3, Ct);

    public ValueTask DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public void Metadata_ListsTheTopicsPartitions_AndRefusesAnUnknownTopic()
    {
        using Kafka.IAdminClient admin = new Kafka.AdminClientBuilder(new Kafka.AdminClientConfig { BootstrapServers = Bootstrap }).Build();

        Kafka.Metadata metadata = admin.GetMetadata("mixed", TimeSpan.FromSeconds(20));
        Kafka.TopicMetadata topic = Assert.Single(metadata.Topics);
        Assert.Equal(Kafka.ErrorCode.NoError, topic.Error.Code);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.PartitionId).Order());
        Kafka.BrokerMetadata broker = Assert.Single(metadata.Brokers);
        Assert.Equal(_kafka.KafkaPort, broker.Port);
        Assert.All(topic.Partitions, p => Assert.Equal(broker.BrokerId, p.Leader));

        Kafka.Metadata unknown = admin.GetMetadata("no-such-topic", TimeSpan.FromSeconds(20));
        Assert.Equal(Kafka.ErrorCode.UnknownTopicOrPart, Assert.Single(unknown.Topics).Error.Code);
    }

    [Fact]
    public async Task AKafkaAdminClient_CreatesAndDeletesTopics_AndADuplicateIsRefusedWithKafkasError()
    {
        using Kafka.IAdminClient admin = new Kafka.AdminClientBuilder(new Kafka.AdminClientConfig { BootstrapServers = Bootstrap }).Build();

        await admin.CreateTopicsAsync([new Kafka.Admin.TopicSpecification { Name = "admin-made", NumPartitions = 4, ReplicationFactor = 1 }]);
        var orleansAdmin = new OrleansLogAdmin(_kafka.Client.Client);
        Assert.Contains("admin-made", await orleansAdmin.ListTopicsAsync(Ct));
        Assert.Equal(4, Assert.Single(admin.GetMetadata("admin-made", TimeSpan.FromSeconds(20)).Topics).Partitions.Count);

        var duplicate = await Assert.ThrowsAsync<Kafka.Admin.CreateTopicsException>(
            () => admin.CreateTopicsAsync([new Kafka.Admin.TopicSpecification { Name = "admin-made", NumPartitions = 1 }]));
        Assert.Equal(Kafka.ErrorCode.TopicAlreadyExists, Assert.Single(duplicate.Results).Error.Code);

        await admin.DeleteTopicsAsync(["admin-made"]);
        Assert.DoesNotContain("admin-made", await orleansAdmin.ListTopicsAsync(Ct));
    }

    [Fact]
    public async Task AKafkaAdminClient_AddsPartitions_AndDeletesRecords()
    {
        using Kafka.IAdminClient admin = new Kafka.AdminClientBuilder(new Kafka.AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        await using (var producer = new OrleansLogProducer(_kafka.Client.Client, new ProducerOptions { Acks = Acks.All }))
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("mixed", new Message { Value = Encoding.UTF8.GetBytes($"r{i}"), Partition = 0 }, Ct);
            }
        }

        await admin.CreatePartitionsAsync([new Kafka.Admin.PartitionsSpecification { Topic = "mixed", IncreaseTo = 5 }]);
        Assert.Equal(5, Assert.Single(admin.GetMetadata("mixed", TimeSpan.FromSeconds(20)).Topics).Partitions.Count);

        var shrink = await Assert.ThrowsAsync<Kafka.Admin.CreatePartitionsException>(
            () => admin.CreatePartitionsAsync([new Kafka.Admin.PartitionsSpecification { Topic = "mixed", IncreaseTo = 2 }]));
        Assert.Equal(Kafka.ErrorCode.InvalidPartitions, Assert.Single(shrink.Results).Error.Code);

        List<Kafka.Admin.DeleteRecordsResult> deleted = await admin.DeleteRecordsAsync([new Kafka.TopicPartitionOffset("mixed", 0, 4)]);
        Assert.Equal(4, Assert.Single(deleted).Offset.Value);
        ListOffsetsResult start = await _kafka.Client.Client.GetGrain<Grains.IPartitionGrain>(new TopicPartition("mixed", 0).ToGrainKey()).ListOffsetsAsync(-2, Ct);
        Assert.Equal(4, start.Offset);
    }

    [Fact]
    public async Task AKafkaConsumersCommittedOffsets_AreTheGroupsOffsets_AndANewConsumerResumesThere()
    {
        await using (var producer = new OrleansLogProducer(_kafka.Client.Client, new ProducerOptions { Acks = Acks.All }))
        {
            for (int i = 0; i < 15; i++)
            {
                await producer.ProduceAsync("mixed", new Message { Value = Encoding.UTF8.GetBytes($"c{i}"), Partition = 2 }, Ct);
            }
        }

        var config = new Kafka.ConsumerConfig { BootstrapServers = Bootstrap, GroupId = "assigners", EnableAutoCommit = false };
        using (Kafka.IConsumer<Kafka.Ignore, string> first = new Kafka.ConsumerBuilder<Kafka.Ignore, string>(config).Build())
        {
            first.Assign(new Kafka.TopicPartitionOffset("mixed", 2, Kafka.Offset.Beginning));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"c{i}"), ConsumeKafka(first, 10).Select(r => r.Message.Value));
            first.Commit([new Kafka.TopicPartitionOffset("mixed", 2, 10)]);
        }

        IReadOnlyList<Groups.CommittedOffset> committed = await _kafka.Client.Client.GetGrain<Groups.IGroupCoordinatorGrain>("assigners").FetchOffsetsAsync(null, Ct);
        Assert.Equal(10, Assert.Single(committed).Offset);

        using (Kafka.IConsumer<Kafka.Ignore, string> second = new Kafka.ConsumerBuilder<Kafka.Ignore, string>(config).Build())
        {
            second.Assign(new Kafka.TopicPartitionOffset("mixed", 2, Kafka.Offset.Stored));
            Assert.Equal(Enumerable.Range(10, 5).Select(i => $"c{i}"), ConsumeKafka(second, 5).Select(r => r.Message.Value));
        }

        // The group as Kafka's admin client sees it: listed, described (empty: nobody joined), then deleted.
        using Kafka.IAdminClient admin = new Kafka.AdminClientBuilder(new Kafka.AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        Kafka.Admin.ListConsumerGroupsResult listed = await admin.ListConsumerGroupsAsync();
        Assert.Contains(listed.Valid, g => g.GroupId == "assigners" && g.State == Kafka.ConsumerGroupState.Empty);
        Kafka.Admin.DescribeConsumerGroupsResult described = await admin.DescribeConsumerGroupsAsync(["assigners"]);
        Assert.Equal(Kafka.ConsumerGroupState.Empty, Assert.Single(described.ConsumerGroupDescriptions).State);
        await admin.DeleteGroupsAsync(["assigners"]);
        Assert.DoesNotContain((await admin.ListConsumerGroupsAsync()).Valid, g => g.GroupId == "assigners");
    }

    [Fact]
    public async Task WhatAKafkaProducerWrites_TheOrleansConsumerReads()
    {
        using Kafka.IProducer<string, string> producer = new Kafka.ProducerBuilder<string, string>(new Kafka.ProducerConfig
        {
            BootstrapServers = Bootstrap,
            Acks = Kafka.Acks.All,
            LingerMs = 5,
        }).Build();
        var sends = new List<Task<Kafka.DeliveryResult<string, string>>>();
        for (int i = 0; i < 20; i++)
        {
            var message = new Kafka.Message<string, string>
            {
                Key = $"key-{i}",
                Value = $"value-{i}",
                Headers = [new Kafka.Header("source", Encoding.UTF8.GetBytes("kafka"))],
            };
            sends.Add(producer.ProduceAsync(new Kafka.TopicPartition("mixed", 1), message, Ct));
        }

        Kafka.DeliveryResult<string, string>[] delivered = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), delivered.Select(d => d.Offset.Value).Order());

        await using var consumer = new OrleansLogConsumer(_kafka.Client.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(new TopicPartition("mixed", 1), 0)]);
        var read = new List<ConsumeResult>();
        while (read.Count < 20)
        {
            read.Add(await consumer.ConsumeAsync(TimeSpan.FromSeconds(20), Ct)
                ?? throw new TimeoutException($"the Orleans consumer read {read.Count} of the 20 records the Kafka producer wrote"));
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"value-{i}"), read.OrderBy(r => r.Offset).Select(r => r.ValueAsString()));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"key-{i}"), read.OrderBy(r => r.Offset).Select(r => r.KeyAsString()));
        Assert.All(read, r => Assert.Equal("kafka", Encoding.UTF8.GetString(Assert.Single(r.Headers).Value.Span)));
    }

    [Fact]
    public async Task AnIdempotentKafkaProducer_GetsAProducerIdAndItsRecordsAreStoredOnce()
    {
        using Kafka.IProducer<string, string> producer = new Kafka.ProducerBuilder<string, string>(new Kafka.ProducerConfig
        {
            BootstrapServers = Bootstrap,
            EnableIdempotence = true,
            LingerMs = 5,
        }).Build();
        var sends = new List<Task<Kafka.DeliveryResult<string, string>>>();
        for (int i = 0; i < 50; i++)
        {
            sends.Add(producer.ProduceAsync(new Kafka.TopicPartition("mixed", 0), new Kafka.Message<string, string> { Key = $"k{i}", Value = $"idempotent-{i}" }, Ct));
        }

        Kafka.DeliveryResult<string, string>[] delivered = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), delivered.Select(d => d.Offset.Value).Order());

        await using var consumer = new OrleansLogConsumer(_kafka.Client.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(new TopicPartition("mixed", 0), 0)]);
        var values = new List<string?>();
        while (values.Count < 50)
        {
            ConsumeResult record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(20), Ct)
                ?? throw new TimeoutException($"the Orleans consumer read {values.Count} of the 50 records");
            values.Add(record.ValueAsString());
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"idempotent-{i}"), values);

        // The stored batch carries the producer id InitProducerId handed out (v2 batch header, bytes 43-50).
        string segment = Directory.GetFiles(Path.Combine(_kafka.DataDirectory, "logs", "mixed-0"), "*.log").Order(StringComparer.Ordinal).First();
        byte[] header = new byte[61];
        await using (FileStream file = new(segment, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        {
            await file.ReadExactlyAsync(header, Ct);
        }

        Assert.True(BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(43)) >= 0, "the first batch has no producer id");
    }

    [Fact]
    public async Task WhatTheOrleansProducerWrites_AKafkaConsumerReadsFromTheEarliestOffset()
    {
        await using (var producer = new OrleansLogProducer(_kafka.Client.Client, new ProducerOptions { Acks = Acks.All }))
        {
            for (int i = 0; i < 10; i++)
            {
                await producer.ProduceAsync("mixed", new Message { Key = Encoding.UTF8.GetBytes($"k{i}"), Value = Encoding.UTF8.GetBytes($"orleans-{i}"), Partition = 2 }, Ct);
            }
        }

        using Kafka.IConsumer<string, string> consumer = new Kafka.ConsumerBuilder<string, string>(new Kafka.ConsumerConfig
        {
            BootstrapServers = Bootstrap,
            GroupId = "kafka-listener-tests",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new Kafka.TopicPartitionOffset("mixed", 2, Kafka.Offset.Beginning));

        List<Kafka.ConsumeResult<string, string>> read = ConsumeKafka(consumer, 10);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"orleans-{i}"), read.Select(r => r.Message.Value));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k{i}"), read.Select(r => r.Message.Key));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), read.Select(r => r.Offset.Value));
    }

    [Fact]
    public async Task AFrameAboveTheRequestLimit_ClosesOnlyItsOwnConnection()
    {
        using var rogue = new TcpClient();
        await rogue.ConnectAsync("127.0.0.1", _kafka.KafkaPort, Ct);
        byte[] size = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(size, 200 * 1024 * 1024);
        await rogue.GetStream().WriteAsync(size, Ct);

        // The listener closes the connection: the read ends with 0 bytes (or a reset) instead of waiting.
        var buffer = new byte[1];
        int got;
        try
        {
            got = await rogue.GetStream().ReadAsync(buffer, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }
        catch (IOException)
        {
            got = 0;
        }

        Assert.Equal(0, got);
        await Eventually.WaitAsync(
            () => Task.FromResult(_kafka.Silo.Output), output => output.Contains("announced", StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            "the silo logs why it closed the connection", Ct);

        using Kafka.IAdminClient admin = new Kafka.AdminClientBuilder(new Kafka.AdminClientConfig { BootstrapServers = Bootstrap }).Build();
        Assert.Single(admin.GetMetadata("mixed", TimeSpan.FromSeconds(20)).Topics);
    }

    /// <summary>Consumes <paramref name="count"/> records, failing with how many came when 30 s pass first.</summary>
    private static List<Kafka.ConsumeResult<TKey, TValue>> ConsumeKafka<TKey, TValue>(Kafka.IConsumer<TKey, TValue> consumer, int count)
    {
        var read = new List<Kafka.ConsumeResult<TKey, TValue>>();
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (read.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the Kafka consumer read {read.Count} of {count} records within 30 s");
            if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false } result)
            {
                read.Add(result);
            }
        }

        return read;
    }
}
