using System.Text;
using Orleans.Serialization.Buffers;
using OrleansLog.Records;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the consumer's client-side logic against an in-memory partition leader: records come out in
/// offset order from the requested offset (skipping the earlier records of the first batch), positions and
/// seeks, auto.offset.reset on OffsetOutOfRange and on a missing position, pipelined fetching, pause and
/// resume, retries of transient fetch errors, and halting on a corrupt batch.
/// </summary>
public sealed class OrleansLogConsumerTests
{
    private static readonly TopicPartition Tp = new("events", 0);

    private readonly FakeGrainFactory _cluster = new();
    private readonly FakePartitionGrain _partition;

    public OrleansLogConsumerTests()
    {
        _cluster.AddTopic("events", 1);
        _partition = _cluster.Partition("events", 0);
    }

    [Fact]
    public async Task ConsumeAsync_ReturnsRecordsFromTheAssignedOffset_InOffsetOrder_AcrossBatches()
    {
        _partition.AppendRecords(("k0", "v0"), ("k1", "v1"));
        _partition.AppendRecords(("k2", "v2"), (null, null));
        _partition.AppendRecords(("k4", "v4"));
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        List<ConsumeResult> records = await ConsumeAsync(consumer, 5);

        Assert.Equal([0L, 1, 2, 3, 4], records.Select(r => r.Offset));
        Assert.Equal(["k0", "k1", "k2", null, "k4"], records.Select(r => r.KeyAsString()));
        Assert.Equal(["v0", "v1", "v2", null, "v4"], records.Select(r => r.ValueAsString()));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1000), records[0].Timestamp);
        Assert.All(records, r => Assert.Equal(Tp, r.TopicPartition));
        Assert.Equal(5, consumer.Position(Tp));
    }

    [Fact]
    public async Task Assign_AtAnOffsetInsideABatch_SkipsTheBatchsEarlierRecords()
    {
        _partition.AppendRecords(("a", "0"), ("b", "1"), ("c", "2"), ("d", "3"));
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 2)]);

        List<ConsumeResult> records = await ConsumeAsync(consumer, 2);

        Assert.Equal([2L, 3], records.Select(r => r.Offset));
        Assert.Equal(["c", "d"], records.Select(r => r.KeyAsString()));
    }

    [Fact]
    public async Task OffsetOutOfRange_WithEarliest_ContinuesFromTheLogStartOffset()
    {
        _partition.AppendRecords(("a", "0"), ("b", "1"));
        _partition.AppendRecords(("c", "2"), ("d", "3"));
        await _partition.DeleteRecordsBeforeAsync(3, TestContext.Current.CancellationToken);
        await using OrleansLogConsumer consumer = Consumer(new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        ConsumeResult record = Assert.Single(await ConsumeAsync(consumer, 1));

        Assert.Equal(3, record.Offset);
        Assert.Equal("d", record.KeyAsString());
    }

    [Fact]
    public async Task OffsetOutOfRange_WithError_Throws_AndTheApplicationCanSeekOn()
    {
        _partition.AppendRecords(("a", "0"));
        await using OrleansLogConsumer consumer = Consumer(new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Error });
        consumer.Assign([new TopicPartitionOffset(Tp, 100)]);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => consumer.ConsumeAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.Error);
        Assert.Contains("offset 100", error.Message, StringComparison.Ordinal);

        consumer.Seek(Tp, 0);
        Assert.Equal(0, Assert.Single(await ConsumeAsync(consumer, 1)).Offset);
    }

    [Fact]
    public async Task Assign_WithoutOffset_AndErrorPolicy_ThrowsUntilTheApplicationSeeks()
    {
        _partition.AppendRecords(("a", "0"));
        await using OrleansLogConsumer consumer = Consumer(new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Error });
        consumer.Assign([Tp]);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => consumer.ConsumeAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(ErrorCode.OffsetOutOfRange, error.Error);
        consumer.SeekToBeginning([Tp]);
        Assert.Equal(0, Assert.Single(await ConsumeAsync(consumer, 1)).Offset);
    }

    [Fact]
    public async Task Assign_WithoutOffset_AndEarliest_StartsAtTheLogStart()
    {
        _partition.AppendRecords(("a", "0"), ("b", "1"));
        await using OrleansLogConsumer consumer = Consumer(new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Earliest });
        consumer.Assign([Tp]);
        Assert.Equal([0L, 1], (await ConsumeAsync(consumer, 2)).Select(r => r.Offset));
    }

    [Fact]
    public async Task Assign_WithoutOffset_AndLatest_ReadsOnlyRecordsProducedAfterwards()
    {
        _partition.AppendRecords(("old", "0"), ("old", "1"));
        await using OrleansLogConsumer consumer = Consumer(new ConsumerOptions { AutoOffsetReset = AutoOffsetReset.Latest });
        consumer.Assign([Tp]);
        await WaitForPositionAsync(consumer, "looking up the latest offset");
        Assert.Equal(2, consumer.Position(Tp));

        _partition.AppendRecords(("new", "2"));
        ConsumeResult record = Assert.Single(await ConsumeAsync(consumer, 1));
        Assert.Equal((2L, "new"), (record.Offset, record.KeyAsString()));
    }

    [Fact]
    public async Task NextFetchIsInFlight_WhileTheRecordsOfThePreviousOneAreHandedOut()
    {
        // Two batches of about 900 bytes: with 1 KiB per fetch, each fetch returns one batch.
        string value = new('x', 400);
        _partition.AppendRecords(("a", value), ("b", value));
        _partition.AppendRecords(("c", value), ("d", value));
        int consumed = 0;
        var secondFetch = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _partition.OnFetch = request =>
        {
            if (request.Offset == 2)
            {
                secondFetch.TrySetResult(Volatile.Read(ref consumed));
            }
        };

        await using OrleansLogConsumer consumer = Consumer(new ConsumerOptions { MaxPartitionFetchBytes = 1024 });
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);
        Assert.Equal(0, (await consumer.ConsumeAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken).Within("consuming the first record"))!.Offset);
        Interlocked.Increment(ref consumed);

        int consumedWhenFetched = await secondFetch.Task.Within("waiting for the fetch at offset 2");
        Assert.True(consumedWhenFetched <= 1, $"the fetch at offset 2 must start while the first batch is handed out, but {consumedWhenFetched} records were consumed first");
        Assert.Equal([1L, 2, 3], (await ConsumeAsync(consumer, 3)).Select(r => r.Offset));
    }

    [Fact]
    public async Task Pause_StopsHandingOutRecords_AndResumeContinues()
    {
        _partition.AppendRecords(("a", "0"));
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);
        consumer.Pause([Tp]);

        Assert.Null(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken));

        consumer.Resume([Tp]);
        Assert.Equal(0, Assert.Single(await ConsumeAsync(consumer, 1)).Offset);
    }

    [Fact]
    public async Task Seek_DropsBufferedRecords_AndContinuesAtTheNewOffset()
    {
        _partition.AppendRecords(("a", "0"), ("b", "1"), ("c", "2"), ("d", "3"));
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);
        Assert.Equal(0, Assert.Single(await ConsumeAsync(consumer, 1)).Offset);

        consumer.Seek(Tp, 3);
        Assert.Equal(3, consumer.Position(Tp));
        Assert.Equal(3, Assert.Single(await ConsumeAsync(consumer, 1)).Offset);
    }

    [Fact]
    public async Task SeekToTimestampAsync_StartsAtTheFirstRecordAtOrAfterIt_OrAtTheEnd()
    {
        _partition.AppendRecords(("a", "0"), ("b", "1"), ("c", "2")); // timestamps 1000, 1001, 1002
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        await consumer.SeekToTimestampAsync([Tp], DateTimeOffset.FromUnixTimeMilliseconds(1001), TestContext.Current.CancellationToken).Within("seeking to 1001");
        Assert.Equal(1, consumer.Position(Tp));
        Assert.Equal("b", Assert.Single(await ConsumeAsync(consumer, 1)).KeyAsString());

        await consumer.SeekToTimestampAsync([Tp], DateTimeOffset.FromUnixTimeMilliseconds(5000), TestContext.Current.CancellationToken).Within("seeking past the last record");
        await WaitForPositionAsync(consumer, "looking up the log end");
        Assert.Equal(3, consumer.Position(Tp));
    }

    [Fact]
    public async Task TransientFetchErrors_AreRetried()
    {
        _partition.AppendRecords(("a", "0"));
        int failures = 0;
        _partition.FetchInterceptor = _ => Interlocked.Increment(ref failures) <= 2
            ? FetchResult.Failure(ErrorCode.NotLeaderOrFollower, "leader moving")
            : null;
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        Assert.Equal(0, Assert.Single(await ConsumeAsync(consumer, 1)).Offset);
        Assert.True(failures >= 3, $"expected two failed fetches and a successful one, saw {failures} fetches");
    }

    [Fact]
    public async Task CorruptBatch_HaltsThePartition_WithCorruptMessage()
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

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => consumer.ConsumeAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(ErrorCode.CorruptMessage, error.Error);
        Assert.Contains("events-0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorruptBatchAfterValidOnes_DeliversTheValidRecords_ThenHaltsNamingTheBadBatchsOffsets()
    {
        _partition.AppendRecords(("a", "0"), ("b", "1"));
        _partition.AppendRecords(("c", "2"));
        _partition.AppendRecords(("d", "3"), ("e", "4"));
        _partition.AppendRecords(("f", "5"));
        byte[] damaged = _partition.StoredBatchBytes(2);
        damaged[^1] ^= 0xFF;
        byte[][] stored = [_partition.StoredBatchBytes(0), _partition.StoredBatchBytes(1), damaged, _partition.StoredBatchBytes(3)];
        long[] baseOffsets = [0, 2, 3, 5];
        _partition.FetchInterceptor = request =>
        {
            // The leader serves its stored bytes from the batch holding the fetch offset on, damage included.
            int first = Array.FindLastIndex(baseOffsets, b => b <= request.Offset);
            var buffer = new PooledBuffer();
            foreach (byte[] batch in stored[first..])
            {
                buffer.Write(batch);
            }

            return new FetchResult { HighWatermark = 6, LogEndOffset = 6, NextOffset = 6, Records = buffer };
        };
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        List<ConsumeResult> valid = await ConsumeAsync(consumer, 3);
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => consumer.ConsumeAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken).AsTask());

        Assert.Equal([0L, 1, 2], valid.Select(r => r.Offset));
        Assert.Equal(ErrorCode.CorruptMessage, error.Error);
        Assert.StartsWith("The batch at offsets 3..4 of events-0 is corrupt: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("seek to offset 5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_AreCopiedIntoTheResult()
    {
        using var builder = new RecordBatchBuilder();
        builder.TryAppend(5, null, Encoding.UTF8.GetBytes("v"), [new RecordHeader("trace", Encoding.UTF8.GetBytes("abc")), new RecordHeader("none", null)]);
        await _partition.AppendAsync(new RecordBatchPayload(builder.SealToArray()), Acks.All, TestContext.Current.CancellationToken);
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);

        ConsumeResult record = Assert.Single(await ConsumeAsync(consumer, 1));

        Assert.Equal(2, record.Headers.Count);
        Assert.Equal(("trace", "abc"), (record.Headers[0].GetKeyString(), Encoding.UTF8.GetString(record.Headers[0].Value.Span)));
        Assert.True(record.Headers[1].ValueIsNull);
    }

    [Fact]
    public async Task ConsumeAllAsync_YieldsRecordsAsTheyArrive_UntilCancelled()
    {
        _partition.AppendRecords(("a", "0"), ("b", "1"));
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var seen = new List<long>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (ConsumeResult record in consumer.ConsumeAllAsync(stop.Token))
            {
                seen.Add(record.Offset);
                if (seen.Count == 2)
                {
                    await stop.CancelAsync();
                }
            }
        });

        Assert.Equal([0L, 1], seen);
    }

    [Fact]
    public async Task Seek_OnAPartitionThatIsNotAssigned_Throws()
    {
        await using OrleansLogConsumer consumer = Consumer();
        consumer.Assign([new TopicPartitionOffset(Tp, 0)]);
        Assert.Throws<InvalidOperationException>(() => consumer.Seek(new TopicPartition("events", 7), 0));
        Assert.Equal([Tp], consumer.Assignment);
        consumer.Unassign();
        Assert.Empty(consumer.Assignment);
    }

    private OrleansLogConsumer Consumer(ConsumerOptions? options = null)
    {
        options ??= new ConsumerOptions();
        options.FetchMaxWait = TimeSpan.FromMilliseconds(50);
        options.RetryBackoff = TimeSpan.FromMilliseconds(1);
        return new OrleansLogConsumer(_cluster, options);
    }

    private static async Task<List<ConsumeResult>> ConsumeAsync(OrleansLogConsumer consumer, int count)
    {
        var records = new List<ConsumeResult>();
        while (records.Count < count)
        {
            ConsumeResult? record = await consumer.ConsumeAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken);
            Assert.True(record is not null, $"expected {count} records within {TaskTimeouts.Limit.TotalSeconds} s each, got {records.Count}");
            records.Add(record);
        }

        return records;
    }

    /// <summary>Drives the consumer until its position in <see cref="Tp"/> is known.</summary>
    private static async Task WaitForPositionAsync(OrleansLogConsumer consumer, string phase)
    {
        DateTime deadline = DateTime.UtcNow + TaskTimeouts.Limit;
        while (consumer.Position(Tp) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out {phase}: the position of {Tp} stayed unknown");
            Assert.Null(await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(10), TestContext.Current.CancellationToken));
        }
    }
}
