using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using OrleansLog.Records;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects consumers from a damaged batch in a middle segment of a real broker's log (found after a clean
/// stop, which is not rescanned, as in Kafka): every record before the damaged batch is delivered, the
/// error names that batch's offsets, and seeking past it reads the rest.
/// </summary>
public sealed class CorruptSegmentTests : IDisposable
{
    private const string Topic = "damaged";
    private const int Records = 1200;
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TempDataDirectory _data = new("corrupt");

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ADamagedBatchInAMiddleSegment_StopsTheConsumerThere_NamingItsOffsets_AfterEveryValidRecord()
    {
        await using var silo = new SiloProcess(_data.Path);
        await silo.StartAsync(TimeSpan.FromSeconds(60), Ct);
        await using (ExternalClient writer = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort))
        {
            await new OrleansLogAdmin(writer.Client).CreateTopicAsync(
                Topic, 1, config: new Dictionary<string, string> { ["segment.bytes"] = "16384" }, cancellationToken: Ct);
            await using var producer = new OrleansLogProducer(writer.Client, new ProducerOptions { Acks = Acks.All, Linger = TimeSpan.FromMilliseconds(2), BatchBytes = 1024 });
            var sends = new List<Task<RecordMetadata>>();
            for (int i = 0; i < Records; i++)
            {
                sends.Add(producer.ProduceAsync(Topic, new Message { Value = Encoding.UTF8.GetBytes($"record-{i:D5}-" + new string('x', 60)) }, Ct));
            }

            await Task.WhenAll(sends);
        }

        await silo.StopAsync(TimeSpan.FromSeconds(30));

        // Damage one batch in the middle of a middle segment, inside its CRC-covered records.
        string[] segments = Directory.GetFiles(Path.Combine(_data.Path, "logs", $"{Topic}-0"), "*.log").Order(StringComparer.Ordinal).ToArray();
        Assert.True(segments.Length >= 3, $"expected at least three segments, found {segments.Length}");
        (long position, RecordBatchHeader bad) = MiddleBatchOf(segments[1]);
        DamageByte(segments[1], position + bad.SizeInBytes - 1);

        await silo.StartAsync(TimeSpan.FromSeconds(60), Ct);
        await using ExternalClient reader = await ExternalClient.ConnectAsync(Ct, silo.GatewayPort);
        await using var consumer = new OrleansLogConsumer(reader.Client, new ConsumerOptions());
        var partition = new TopicPartition(Topic, 0);
        consumer.Assign([new TopicPartitionOffset(partition, 0)]);

        var offsets = new List<long>();
        OrleansLogException? error = null;
        while (error is null)
        {
            try
            {
                ConsumeResult record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(20), Ct)
                    ?? throw new TimeoutException($"no record and no error after offset {offsets.LastOrDefault(-1)}; the damaged batch is at {bad.BaseOffset}");
                offsets.Add(record.Offset);
                Assert.Equal($"record-{record.Offset:D5}-", record.ValueAsString()![..13]);
            }
            catch (OrleansLogException ex)
            {
                error = ex;
            }
        }

        Assert.Equal(Enumerable.Range(0, (int)bad.BaseOffset).Select(i => (long)i), offsets);
        Assert.Equal(ErrorCode.CorruptMessage, error.Error);
        Assert.StartsWith($"The batch at offsets {bad.BaseOffset}..{bad.LastOffset} of {partition} is corrupt: ", error.Message, StringComparison.Ordinal);

        consumer.Seek(partition, bad.LastOffset + 1);
        long next = bad.LastOffset + 1;
        while (next < Records)
        {
            ConsumeResult record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(20), Ct)
                ?? throw new TimeoutException($"no record at offset {next} after seeking past the damaged batch");
            Assert.Equal(next, record.Offset);
            next++;
        }
    }

    /// <summary>The batch in the middle of a segment file, and its position.</summary>
    private static (long Position, RecordBatchHeader Header) MiddleBatchOf(string segment)
    {
        byte[] bytes = File.ReadAllBytes(segment);
        var batches = new List<(long, RecordBatchHeader)>();
        for (int position = 0; position + RecordBatchLayout.HeaderSize <= bytes.Length;)
        {
            RecordBatchHeader header = RecordBatchHeader.Read(bytes.AsSpan(position));
            batches.Add((position, header));
            position += header.SizeInBytes;
        }

        Assert.True(batches.Count >= 3, $"{segment} holds {batches.Count.ToString(CultureInfo.InvariantCulture)} batches");
        return batches[batches.Count / 2];
    }

    private static void DamageByte(string path, long position)
    {
        using FileStream file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        byte[] one = new byte[1];
        file.Position = position;
        file.ReadExactly(one);
        one[0] ^= 0xFF;
        file.Position = position;
        file.Write(one);
    }
}
