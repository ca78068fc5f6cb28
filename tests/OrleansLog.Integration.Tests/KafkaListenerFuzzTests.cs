using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;
using Kafka = Confluent.Kafka;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects a live silo's Kafka listener from bad input: seeded random frames, request frames captured from
/// librdkafka with bytes changed, cut short, or announcing sizes they do not have. The silo stays up and
/// healthy, a Kafka client on another connection keeps working, and the topic the captured produce request
/// targets holds nothing but records that request carried (a frame altered outside the CRC-covered records
/// may still be a valid request; an altered batch never is).
/// </summary>
public sealed class KafkaListenerFuzzTests : IAsyncLifetime
{
    private const int Seed = 20261208;
    private const int Frames = 600;
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private KafkaSilo _kafka = null!;

    /// <summary>The captured requests name topic "orders" (its produce request writes to partition 1).</summary>
    public async ValueTask InitializeAsync() => _kafka = await KafkaSilo.StartAsync("kafka-fuzz", "orders", 3, Ct);

    public ValueTask DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task RandomAndMangledFrames_LeaveTheSiloServing_AndAppendNothingBroken()
    {
        byte[][] captured = [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.bin").Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
        Assert.NotEmpty(captured);
        var random = new Random(Seed);
        for (int i = 0; i < Frames; i++)
        {
            await SendAsync(Mangle(random, captured[random.Next(captured.Length)], i % 4));
        }

        // The silo's lines arrive through its output pipe, a little after the connections closed.
        await Eventually.WaitAsync(
            () => Task.FromResult(_kafka.Silo.Output.Split('\n').Count(line => line.Contains("closing the connection", StringComparison.Ordinal))),
            refused => refused > Frames / 4, TimeSpan.FromSeconds(10), $"more than {Frames / 4} of {Frames} bad frames refused with a log line", Ct);
        string[] failures = [.. _kafka.Silo.Output.Split('\n').Where(line => line.Contains("a request failed", StringComparison.Ordinal))];
        Assert.True(failures.Length == 0, $"{failures.Length} frames failed outside the protocol's errors; the first:\n{string.Join('\n', failures.Take(1))}");

        using var http = new HttpClient();
        using HttpResponseMessage health = await http.GetAsync(new Uri($"http://127.0.0.1:{_kafka.Silo.HttpPort}/health"), Ct);
        Assert.True(health.IsSuccessStatusCode, $"/health answered {(int)health.StatusCode} after the fuzzing (seed {Seed})");

        using Kafka.IAdminClient admin = new Kafka.AdminClientBuilder(new Kafka.AdminClientConfig { BootstrapServers = $"127.0.0.1:{_kafka.KafkaPort}" }).Build();
        Assert.Equal(3, Assert.Single(admin.GetMetadata("orders", TimeSpan.FromSeconds(20)).Topics).Partitions.Count);

        foreach (int partition in new[] { 0, 1, 2 })
        {
            await foreach (ConsumeResult record in ReadAllAsync(partition))
            {
                Assert.Matches("^v[0-9]$", record.ValueAsString() ?? string.Empty);
            }
        }
    }

    /// <summary>Kind 0: random bytes; 1: a captured frame with 1-4 bytes changed; 2: cut short; 3: a size that lies.</summary>
    private static byte[] Mangle(Random random, byte[] frame, int kind)
    {
        switch (kind)
        {
            case 0:
                byte[] noise = new byte[random.Next(0, 512)];
                random.NextBytes(noise);
                return Framed(noise);

            case 1:
                byte[] changed = (byte[])frame.Clone();
                for (int n = random.Next(1, 5); n > 0; n--)
                {
                    changed[random.Next(changed.Length)] = (byte)random.Next(256);
                }

                return Framed(changed);

            case 2:
                return Framed(frame[..random.Next(frame.Length)]);

            default:
                byte[] lying = Framed(frame);
                BinaryPrimitives.WriteInt32BigEndian(lying, random.Next(2) == 0 ? -random.Next(1, int.MaxValue) : frame.Length + random.Next(1, 64));
                return lying;
        }
    }

    private static byte[] Framed(byte[] payload)
    {
        var framed = new byte[payload.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(framed, payload.Length);
        payload.CopyTo(framed, 4);
        return framed;
    }

    /// <summary>One connection per frame: sends it, reads whatever comes back until the listener answers, closes, or 200 ms pass.</summary>
    private async Task SendAsync(byte[] bytes)
    {
        using var connection = new TcpClient();
        await connection.ConnectAsync("127.0.0.1", _kafka.KafkaPort, Ct);
        NetworkStream stream = connection.GetStream();
        await stream.WriteAsync(bytes, Ct);
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(TimeSpan.FromMilliseconds(200));
        try
        {
            _ = await stream.ReadAsync(new byte[4096], patience.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && !Ct.IsCancellationRequested)
        {
            // No answer (a frame still incomplete, acks=0) or the listener closed the connection: both fine.
        }
    }

    private async IAsyncEnumerable<ConsumeResult> ReadAllAsync(int partition)
    {
        var topicPartition = new TopicPartition("orders", partition);
        ListOffsetsResult end = await _kafka.Client.Client.GetGrain<Grains.IPartitionGrain>(topicPartition.ToGrainKey()).ListOffsetsAsync(-1, Ct);
        await using var consumer = new OrleansLogConsumer(_kafka.Client.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(topicPartition, 0)]);
        for (long read = 0; read < end.Offset; read++)
        {
            yield return await consumer.ConsumeAsync(TimeSpan.FromSeconds(20), Ct)
                ?? throw new TimeoutException($"orders-{partition}: read {read} of {end.Offset} records");
        }
    }
}
