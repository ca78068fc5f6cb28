using Confluent.Kafka;
using OrleansLog.Kafka.Protocol.Messages;
using Xunit;

namespace OrleansLog.Kafka.Protocol.Tests;

/// <summary>
/// Protects the codecs against a real client: librdkafka (through Confluent.Kafka) negotiates versions from
/// our ApiVersions answer, the requests it then sends decode completely with our definitions (no byte
/// left over), and it reads our Metadata answer — brokers, topic, partitions, leaders — and our Produce
/// answers: the offsets it reports are the ones we gave, and the batches it sent are v2 record batches.
/// </summary>
public sealed class LibrdkafkaConversationTests
{
    [Fact]
    public void Librdkafka_NegotiatesVersions_AndReadsOurMetadata()
    {
        using var broker = new ScriptedBroker("orders", 3);
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig
        {
            BootstrapServers = $"127.0.0.1:{broker.Port}",
            SocketTimeoutMs = 10_000,
        }).Build();

        Metadata metadata = admin.GetMetadata("orders", TimeSpan.FromSeconds(20));

        Assert.Empty(broker.Failures);
        BrokerMetadata node = Assert.Single(metadata.Brokers);
        Assert.Equal(1, node.BrokerId);
        Assert.Equal(broker.Port, node.Port);
        TopicMetadata topic = Assert.Single(metadata.Topics);
        Assert.Equal("orders", topic.Topic);
        Assert.Equal(Confluent.Kafka.ErrorCode.NoError, topic.Error.Code);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.PartitionId).Order());
        Assert.All(topic.Partitions, p => Assert.Equal(1, p.Leader));

        // librdkafka 2.16 asks ApiVersions v3 (flexible) first, then Metadata at the highest version we advertise.
        var (apiVersionsHeader, apiVersionsBody, _) = broker.Requests.First(r => r.Header.ApiKey == ApiKey.ApiVersions);
        Assert.Equal(3, apiVersionsHeader.ApiVersion);
        Assert.False(string.IsNullOrEmpty(((ApiVersionsRequest)apiVersionsBody).ClientSoftwareName));
        var (metadataHeader, metadataBody, _) = broker.Requests.Last(r => r.Header.ApiKey == ApiKey.Metadata);
        Assert.Equal(12, metadataHeader.ApiVersion);
        Assert.Contains(((MetadataRequest)metadataBody).Topics!, t => t.Name == "orders");
    }

    [Fact]
    public async Task Librdkafka_ProducesThroughOurProduceCodec_AndReportsTheOffsetsWeGave()
    {
        using var broker = new ScriptedBroker("orders", 3);
        using IProducer<string, string> producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = $"127.0.0.1:{broker.Port}",
            Acks = Acks.All,
            LingerMs = 5,
            MessageTimeoutMs = 20_000,
        }).Build();

        var deliveries = new List<Task<DeliveryResult<string, string>>>();
        for (int i = 0; i < 10; i++)
        {
            deliveries.Add(producer.ProduceAsync(new TopicPartition("orders", 1), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }, TestContext.Current.CancellationToken));
        }

        DeliveryResult<string, string>[] results = await Task.WhenAll(deliveries).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Empty(broker.Failures);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), results.Select(r => r.Offset.Value).Order());
        Assert.All(results, r => Assert.Equal(PersistenceStatus.Persisted, r.Status));
        Assert.All(broker.Batches, b => Assert.Equal((1, (byte)2), (b.Partition, b.Magic)));
        Assert.Equal(10, broker.Batches.Sum(b => b.Records));
        Assert.Contains(broker.Requests, r => r.Header.ApiKey == ApiKey.Produce && ((ProduceRequest)r.Body).Acks == -1);
    }

    [Fact]
    public void Librdkafka_ConsumesBatchesServedThroughOurFetchCodec()
    {
        using var builder = new OrleansLog.Records.RecordBatchBuilder();
        for (int i = 0; i < 5; i++)
        {
            builder.TryAppend(1_700_000_000_000 + i, System.Text.Encoding.UTF8.GetBytes($"k{i}"), System.Text.Encoding.UTF8.GetBytes($"v{i}"));
        }

        using var broker = new ScriptedBroker("orders", 1, builder.SealToArray());
        using IConsumer<string, string> consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = $"127.0.0.1:{broker.Port}",
            GroupId = "unused",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset("orders", 0, 0));

        var consumed = new List<ConsumeResult<string, string>>();
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (consumed.Count < 5 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                consumed.Add(result);
            }
        }

        Assert.Empty(broker.Failures);
        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], consumed.Select(c => c.Message.Value));
        Assert.Equal(["k0", "k1", "k2", "k3", "k4"], consumed.Select(c => c.Message.Key));
        Assert.Equal([0L, 1, 2, 3, 4], consumed.Select(c => c.Offset.Value));
        Assert.Contains(broker.Requests, r => r.Header.ApiKey == ApiKey.Fetch && r.Header.ApiVersion == 12);
    }
}
