using System.Collections.Concurrent;
using System.Globalization;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects the durability promise with real processes: with flush.messages=1 and acks=all, every
/// record the broker acknowledged before a SIGKILL is read back after restart, in order, exactly once.
/// </summary>
public sealed class DurabilityTests : IDisposable
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDataDirectory _data = new("dur");
    private string DataDirectory => _data.Path;

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task AcknowledgedRecords_SurviveKill9_InOrderAndExactlyOnce()
    {
        const string topic = "durable";
        const int partitions = 3;
        await using var silo = new SiloProcess(DataDirectory);

        // 1. Start a broker process and create a topic that acknowledges only fsynced appends.
        await silo.StartAsync(TimeSpan.FromSeconds(60), Ct);
        var acknowledged = new ConcurrentDictionary<int, (int Partition, long Offset)>();
        await using (ExternalClient connection = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort))
        {
            await new OrleansLogAdmin(connection.Client).CreateTopicAsync(
                topic, partitions, config: new Dictionary<string, string> { ["flush.messages"] = "1" }, cancellationToken: Ct);

            // 2. Produce with acks=all and idempotence until well over a thousand records are acknowledged,
            //    then SIGKILL the broker while the producer is still sending.
            var producer = new OrleansLogProducer(connection.Client, new ProducerOptions
            {
                Acks = Acks.All,
                Linger = TimeSpan.FromMilliseconds(1),
                DeliveryTimeout = TimeSpan.FromSeconds(3),
            });
            using var stop = new CancellationTokenSource();
            Task producing = Task.Run(
                async () =>
                {
                    for (int i = 0; !stop.IsCancellationRequested; i++)
                    {
                        int sequence = i;
                        try
                        {
                            await producer.ProduceAsync(
                                topic,
                                new Message { Key = BitConverter.GetBytes(sequence % 17), Value = System.Text.Encoding.UTF8.GetBytes(sequence.ToString(CultureInfo.InvariantCulture)) },
                                (metadata, error) =>
                                {
                                    if (metadata is { } m && error is null)
                                    {
                                        acknowledged[sequence] = (m.Partition, m.Offset);
                                    }
                                },
                                stop.Token);
                        }
                        catch (Exception) when (stop.IsCancellationRequested)
                        {
                            return;
                        }
                    }
                },
                Ct);

            await Eventually.WaitAsync(
                () => Task.FromResult(acknowledged.Count), n => n >= 1500, TimeSpan.FromSeconds(60), "1500 acknowledged records before the kill", Ct);
            silo.Kill();
            int acknowledgedAtKill = acknowledged.Count;
            await stop.CancelAsync();
            await producing;
            try
            {
                await producer.DisposeAsync();
            }
            catch (Exception ex) when (ex is OrleansLogException or TimeoutException or OperationCanceledException)
            {
                // Records in flight at the kill fail: they were never acknowledged.
            }

            Assert.True(acknowledged.Count >= acknowledgedAtKill);
        }

        // 3. Restart on the same data directory: recovery runs on open.
        await silo.StartAsync(TimeSpan.FromSeconds(60), Ct);
        await using ExternalClient reader = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort);

        // 4. Read everything back and check every acknowledged record: same partition and offset,
        //    present once, and each partition in production order.
        var admin = new OrleansLogAdmin(reader.Client);
        var ends = await admin.ListOffsetsAsync(topic, OffsetSpec.Latest, Ct);
        long total = ends.Sum(e => e.Offset);
        await using var consumer = new OrleansLogConsumer(reader.Client, new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var seen = new Dictionary<int, (int Partition, long Offset)>();
        var lastPerPartition = new Dictionary<int, int>();
        for (long read = 0; read < total; read++)
        {
            ConsumeResult record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(10), Ct)
                ?? throw new TimeoutException($"expected {total} records after restart, got {read}");
            int sequence = int.Parse(record.ValueAsString()!, CultureInfo.InvariantCulture);
            Assert.True(seen.TryAdd(sequence, (record.Partition, record.Offset)), $"record {sequence} was stored twice");
            if (lastPerPartition.TryGetValue(record.Partition, out int previous))
            {
                Assert.True(sequence > previous, $"partition {record.Partition}: record {sequence} came after {previous}");
            }

            lastPerPartition[record.Partition] = sequence;
        }

        foreach (var (sequence, where) in acknowledged)
        {
            Assert.True(seen.TryGetValue(sequence, out var found), $"acknowledged record {sequence} at {where} is missing after kill -9");
            Assert.Equal(where, found);
        }
    }
}
