using System.Text;
using Orleans.Serialization.Buffers;
using OrleansLog.Records;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects <see cref="IConsumer.ConsumeBatchAsync"/>, the zero-copy path: a lease yields exactly the
/// records at or above the position (none handed out twice when it follows <c>ConsumeAsync</c>), moves
/// the position past its last record, refuses to be read after it returned its bytes, reads compressed
/// batches, times out with null, and reports a corrupt batch as the per-record path does.
/// </summary>
public sealed class ConsumeBatchTests
{
    private static readonly TopicPartition Tp = new("events", 0);

    private readonly FakeGrainFactory _cluster = new();
    private readonly FakePartitionGrain _partition;

    public ConsumeBatchTests()
    {
        _cluster.AddTopic("events", 1);
        _partition = _cluster.Partition("events", 0);
    }

    [Fact]
    public async Task ConsumeBatchAsync_YieldsOneFetchFromTheAssignedOffset_AndMovesThePositionPastIt()
    {
        _partition.AppendRecords(("k0", "v0"), ("k1", "v1"));
        _partition.AppendRecords(("k2", "v2"), (null, null));
        _partition.AppendRecords(("k4", "v4"));
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 1)]);

        using ConsumedBatch batch = await NextBatchAsync(consumer);

        Assert.Equal(Tp, batch.TopicPartition);
        Assert.Equal(1, batch.FirstOffset);
        Assert.Equal(4, batch.LastOffset);
        Assert.Equal(4, batch.Count);
        Assert.Equal(
            [(1L, "k1", "v1"), (2, "k2", "v2"), (3, null, null), (4, "k4", "v4")],
            Read(batch));
        Assert.Equal(5, consumer.Position(Tp));
    }

    [Fact]
    public async Task ConsumeBatchAsync_AfterConsumeAsync_LeasesOnlyTheRecordsNotYetHandedOut()
    {
        _partition.AppendRecords(("a", "0"), ("b", "1"), ("c", "2"), ("d", "3"));
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        ConsumeResult? first = await consumer.ConsumeAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken).Within("consuming the first record");
        using ConsumedBatch rest = await NextBatchAsync(consumer);

        Assert.Equal(0, first!.Offset);
        Assert.Equal(1, rest.FirstOffset);
        Assert.Equal(3, rest.Count);
        Assert.Equal([1L, 2, 3], Read(rest).Select(r => r.Offset));
        Assert.Equal(4, consumer.Position(Tp));
    }

    [Fact]
    public async Task ConsumedBatch_AfterDispose_RefusesToEnumerate_ButKeepsItsOffsets()
    {
        _partition.AppendRecords(("a", "0"));
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        ConsumedBatch batch = await NextBatchAsync(consumer);
        batch.Dispose();
        batch.Dispose();

        Assert.Throws<ObjectDisposedException>(() => batch.GetEnumerator());
        Assert.Equal(0, batch.FirstOffset);
        Assert.Equal(0, batch.LastOffset);
        Assert.Equal(1, batch.Count);
    }

    [Fact]
    public async Task ConsumeBatchAsync_ReadsCompressedBatches()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4, 1 << 20);
        builder.TryAppend(1, null, Encoding.UTF8.GetBytes(new string('z', 500)));
        builder.TryAppend(2, Encoding.UTF8.GetBytes("k"), Encoding.UTF8.GetBytes("tail"));
        await _partition.AppendAsync(new RecordBatchPayload(builder.SealToArray()), Acks.All, TestContext.Current.CancellationToken);
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        using ConsumedBatch batch = await NextBatchAsync(consumer);

        Assert.Equal([(0L, null, new string('z', 500)), (1, "k", "tail")], Read(batch));
    }

    [Fact]
    public async Task ConsumeBatchAsync_WithNothingFetched_ReturnsNullAfterTheTimeout()
    {
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        Assert.Null(await consumer.ConsumeBatchAsync(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ConsumeBatchAsync_CorruptBatch_ThrowsCorruptMessage()
    {
        _partition.AppendRecords(("a", "0"));
        byte[] damaged = _partition.StoredBatchBytes(0);
        damaged[^1] ^= 0xFF;
        _partition.FetchInterceptor = request =>
        {
            var buffer = new PooledBuffer();
            buffer.Write(damaged);
            return new FetchResult { HighWatermark = 1, LogEndOffset = 1, NextOffset = 1, Records = buffer };
        };
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => consumer.ConsumeBatchAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken).AsTask());

        Assert.Equal(ErrorCode.CorruptMessage, error.Error);
        Assert.Contains("events-0", error.Message, StringComparison.Ordinal);
    }

    private OrleansLogConsumer Consumer()
    {
        var options = new ConsumerOptions
        {
            FetchMaxWait = TimeSpan.FromMilliseconds(50),
            RetryBackoff = TimeSpan.FromMilliseconds(1),
        };
        return new OrleansLogConsumer(_cluster, options);
    }

    private static async Task<ConsumedBatch> NextBatchAsync(OrleansLogConsumer consumer)
    {
        ConsumedBatch? batch = await consumer.ConsumeBatchAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken).Within("waiting for a batch");
        Assert.True(batch is not null, $"expected a batch within {TaskTimeouts.Limit.TotalSeconds} s, got none");
        return batch;
    }

    private static List<(long Offset, string? Key, string? Value)> Read(ConsumedBatch batch)
    {
        var records = new List<(long, string?, string?)>();
        foreach (OrleansLog.Records.Record record in batch)
        {
            records.Add((
                record.Offset,
                record.KeyIsNull ? null : Encoding.UTF8.GetString(record.Key.Span),
                record.ValueIsNull ? null : Encoding.UTF8.GetString(record.Value.Span)));
        }

        return records;
    }
}
