using System.Diagnostics;
using System.Globalization;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using Kafka = Confluent.Kafka;

namespace OrleansLog.Benchmarks.KafkaClients;

/// <summary>
/// The Kafka path against the native one, in one run on one embedded silo process: Confluent.Kafka's
/// producer through the Kafka listener and the OrleansLog producer through the gateway (acks=1, linger
/// 5 ms, keyless, one partition each, lz4 off and on for Kafka), then each consumer reading its topic
/// from the start. Prints per size and codec
/// <c>{"bench":"kafka-produce","record_bytes":…,"compression":…,"kafka_records_per_s":…,"native_records_per_s":…,"ratio":…}</c>
/// and <c>{"bench":"kafka-consume",…}</c>.
/// </summary>
internal static class KafkaPathBenchmark
{
    public static async Task RunAsync(bool quick)
    {
        CancellationToken ct = CancellationToken.None;
        string data = Path.Combine(Path.GetTempPath(), $"olog-bench-kafka-{Guid.NewGuid():N}");
        int kafkaPort = FreePorts.Next();
        try
        {
            await using var silo = new SiloProcess(data, "--kafka-port", kafkaPort.ToString(CultureInfo.InvariantCulture));
            await silo.StartAsync(TimeSpan.FromSeconds(90), ct);
            await using ExternalClient client = await ExternalClient.ConnectAsync(ct, silo.GatewayPort);
            var admin = new OrleansLogAdmin(client.Client);
            string bootstrap = $"127.0.0.1:{kafkaPort}";
            foreach ((int size, int records) in new[] { (100, quick ? 100_000 : 1_000_000), (1024, quick ? 20_000 : 200_000) })
            {
                foreach (string compression in new[] { "none", "lz4" })
                {
                    string kafkaTopic = $"kafka-{size}-{compression}";
                    string nativeTopic = $"native-{size}-{compression}";
                    await admin.CreateTopicAsync(kafkaTopic, 1, cancellationToken: ct);
                    await admin.CreateTopicAsync(nativeTopic, 1, cancellationToken: ct);
                    double native = await ProduceNativeAsync(client.Client, nativeTopic, size, records, compression, ct);
                    double kafka = ProduceKafka(bootstrap, kafkaTopic, size, records, compression);
                    Write("kafka-produce", size, compression, records, kafka, native);
                    double nativeRead = await ConsumeNativeAsync(client.Client, nativeTopic, records, ct);
                    double kafkaRead = ConsumeKafka(bootstrap, kafkaTopic, records);
                    Write("kafka-consume", size, compression, records, kafkaRead, nativeRead);
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private static void Write(string bench, int size, string compression, int records, double kafka, double native) =>
        JsonLine.Write(new Dictionary<string, object>
        {
            ["bench"] = bench,
            ["record_bytes"] = size,
            ["compression"] = compression,
            ["records"] = records,
            ["kafka_records_per_s"] = Math.Round(kafka),
            ["native_records_per_s"] = Math.Round(native),
            ["ratio"] = Math.Round(kafka / native, 3),
        });

    private static double ProduceKafka(string bootstrap, string topic, int size, int records, string compression)
    {
        using Kafka.IProducer<Kafka.Null, byte[]> producer = new Kafka.ProducerBuilder<Kafka.Null, byte[]>(new Kafka.ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Kafka.Acks.Leader,
            LingerMs = 5,
            CompressionType = compression == "lz4" ? Kafka.CompressionType.Lz4 : Kafka.CompressionType.None,
            QueueBufferingMaxMessages = 1_000_000,
        }).Build();
        byte[] value = new byte[size];
        long failed = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < records; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Kafka.Message<Kafka.Null, byte[]> { Value = value }, report =>
                    {
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                        }
                    });
                    break;
                }
                catch (Kafka.ProduceException<Kafka.Null, byte[]> ex) when (ex.Error.Code == Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(5));
        double rate = records / clock.Elapsed.TotalSeconds;
        return failed == 0 ? rate : throw new InvalidOperationException($"kafka-produce: {failed} of {records} records to '{topic}' failed");
    }

    private static async Task<double> ProduceNativeAsync(IGrainFactory grains, string topic, int size, int records, string compression, CancellationToken ct)
    {
        await using var producer = new OrleansLogProducer(grains, new ProducerOptions
        {
            Acks = Acks.Leader,
            Linger = TimeSpan.FromMilliseconds(5),
            Compression = compression == "lz4" ? OrleansLog.Records.CompressionType.Lz4 : OrleansLog.Records.CompressionType.None,
        });
        byte[] value = new byte[size];
        long failed = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < records; i++)
        {
            await producer.ProduceAsync(topic, new Message { Value = value }, (_, error) =>
            {
                if (error is not null)
                {
                    Interlocked.Increment(ref failed);
                }
            }, ct);
        }

        await producer.FlushAsync(ct);
        double rate = records / clock.Elapsed.TotalSeconds;
        return failed == 0 ? rate : throw new InvalidOperationException($"native produce: {failed} of {records} records to '{topic}' failed");
    }

    private static double ConsumeKafka(string bootstrap, string topic, int records)
    {
        using Kafka.IConsumer<Kafka.Ignore, byte[]> consumer = new Kafka.ConsumerBuilder<Kafka.Ignore, byte[]>(new Kafka.ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new Kafka.TopicPartitionOffset(topic, 0, Kafka.Offset.Beginning));
        var clock = Stopwatch.StartNew();
        int read = 0;
        while (read < records)
        {
            if (consumer.Consume(TimeSpan.FromSeconds(30)) is not { IsPartitionEOF: false })
            {
                throw new TimeoutException($"kafka-consume: read {read} of {records} from '{topic}'");
            }

            read++;
        }

        return records / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ConsumeNativeAsync(IGrainFactory grains, string topic, int records, CancellationToken ct)
    {
        await using var consumer = new OrleansLogConsumer(grains, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(new TopicPartition(topic, 0), 0)]);
        var clock = Stopwatch.StartNew();
        for (int read = 0; read < records; read++)
        {
            _ = await consumer.ConsumeAsync(TimeSpan.FromSeconds(30), ct) ?? throw new TimeoutException($"native consume: read {read} of {records} from '{topic}'");
        }

        return records / clock.Elapsed.TotalSeconds;
    }
}
