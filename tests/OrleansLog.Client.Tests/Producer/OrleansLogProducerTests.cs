using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Records;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the producer's client-side behaviour against an in-memory partition leader that deduplicates
/// like Kafka's: partition choice, batching by linger and size, back-pressure, idempotent retries that never
/// store a record twice, order kept when a batch overtakes another, flush and dispose, and error mapping.
/// Each test owns its fake cluster and clock.
/// </summary>
public sealed class OrleansLogProducerTests
{
    private readonly FakeGrainFactory _cluster = new();

    [Fact]
    public async Task ProduceAsync_KeyedRecord_LandsOnTheMurmur2Partition_AndReportsItsOffset()
    {
        _cluster.AddTopic("orders", 12);
        await using OrleansLogProducer producer = Producer(new ProducerOptions { Linger = TimeSpan.Zero });

        RecordMetadata first = await producer.ProduceAsync("orders", "foobar", "v1", TestContext.Current.CancellationToken).Within("producing the first record");
        RecordMetadata second = await producer.ProduceAsync("orders", "foobar", "v2", TestContext.Current.CancellationToken).Within("producing the second record");

        Assert.Equal(new TopicPartition("orders", 6), first.TopicPartition);
        Assert.Equal((0L, 1L), (first.Offset, second.Offset));
        Assert.Equal([(0L, "foobar", "v1"), (1L, "foobar", "v2")], _cluster.Partition("orders", 6).StoredRecords());
    }

    [Fact]
    public async Task ProduceAsync_WithExplicitPartition_UsesIt_AndRejectsOneThatDoesNotExist()
    {
        _cluster.AddTopic("orders", 3);
        await using OrleansLogProducer producer = Producer(new ProducerOptions { Linger = TimeSpan.Zero });

        RecordMetadata metadata = await producer.ProduceAsync("orders", new Message { Key = Bytes("foobar"), Partition = 2 }, TestContext.Current.CancellationToken).Within("producing to partition 2");
        Assert.Equal(2, metadata.Partition);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => producer.ProduceAsync("orders", new Message { Partition = 3 }, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
        Assert.Contains("partitions 0..2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProduceAsync_ToAMissingTopic_FailsWithUnknownTopicOrPartition()
    {
        await using OrleansLogProducer producer = Producer(new ProducerOptions());
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => producer.ProduceAsync("nope", "k", "v", TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
        Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProduceAsync_RecordLargerThanMaxRequestBytes_FailsWithMessageTooLarge_WithoutSending()
    {
        _cluster.AddTopic("orders", 1);
        await using OrleansLogProducer producer = Producer(new ProducerOptions { MaxRequestBytes = 4096, BatchBytes = 4096 });
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => producer.ProduceAsync("orders", new Message { Value = new byte[5000] }, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.MessageTooLarge, error.Error);
        Assert.Equal(0, _cluster.Partition("orders", 0).AppendCalls);
    }

    [Fact]
    public async Task RecordsProducedWithinLinger_AreSentAsOneBatch_WhenLingerEnds()
    {
        _cluster.AddTopic("events", 1);
        var time = new FakeTimeProvider();
        await using OrleansLogProducer producer = Producer(new ProducerOptions { Linger = TimeSpan.FromMilliseconds(50) }, time);
        var delivered = new DeliveryRecorder(expected: 10);

        for (int i = 0; i < 10; i++)
        {
            await producer.ProduceAsync("events", new Message { Value = Bytes($"e{i}") }, delivered.Handler, TestContext.Current.CancellationToken).Within($"buffering record {i}");
        }

        time.Advance(TimeSpan.FromMilliseconds(50));
        await delivered.All.Within("waiting for the lingered batch to be acknowledged");

        FakePartitionGrain partition = _cluster.Partition("events", 0);
        Assert.Equal(1, partition.AppendCalls);
        Assert.Equal(10, Assert.Single(partition.StoredBatches).RecordsCount);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), delivered.Offsets);
    }

    [Fact]
    public async Task KeylessRecords_FillABatchOnOnePartition_ThenMoveToAnother()
    {
        _cluster.AddTopic("events", 4);
        var time = new FakeTimeProvider();
        await using OrleansLogProducer producer = Producer(new ProducerOptions { Linger = TimeSpan.FromSeconds(10), BatchBytes = 1024 }, time);

        // Three 300-byte records fill a 1 KiB batch; the fourth would open a new batch there and moves on.
        int[] partitions = new int[5];
        var delivered = new DeliveryRecorder(expected: 5);
        for (int i = 0; i < 5; i++)
        {
            int index = i;
            await producer.ProduceAsync(
                "events",
                new Message { Value = new byte[300] },
                (metadata, error) =>
                {
                    partitions[index] = metadata?.Partition ?? -1;
                    delivered.Handler(metadata, error);
                },
                TestContext.Current.CancellationToken).Within($"buffering record {i}");
        }

        await producer.FlushAsync(TestContext.Current.CancellationToken).Within("flushing");
        await delivered.All.Within("delivering five keyless records");
        Assert.Single(partitions[..3].Distinct());
        Assert.Single(partitions[3..].Distinct());
        Assert.NotEqual(partitions[0], partitions[3]);
        int[] perPartition = [.. Enumerable.Range(0, 4).Select(p => _cluster.Partition("events", p).StoredRecords().Count)];
        Assert.Equal([0, 0, 2, 3], perPartition.Order());
    }

    [Fact]
    public async Task ProduceAsync_WaitsForBufferMemory_UntilInFlightBatchesAreAcknowledged()
    {
        _cluster.AddTopic("events", 1);
        FakePartitionGrain partition = _cluster.Partition("events", 0);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        partition.Interceptor = async (_, _, apply) =>
        {
            await gate.Task;
            return await apply();
        };
        var options = new ProducerOptions { Linger = TimeSpan.Zero, MaxRequestBytes = 1024, BatchBytes = 1024, BufferMemoryBytes = 2048 };
        await using OrleansLogProducer producer = Producer(options);
        var delivered = new DeliveryRecorder(expected: 5);

        // Each record reserves 436 bytes (400 + 36 framing): four fit in 2048, the fifth must wait.
        for (int i = 0; i < 4; i++)
        {
            await producer.ProduceAsync("events", new Message { Value = new byte[400] }, delivered.Handler, TestContext.Current.CancellationToken).Within($"buffering record {i}");
        }

        ValueTask fifth = producer.ProduceAsync("events", new Message { Value = new byte[400] }, delivered.Handler, TestContext.Current.CancellationToken);
        Assert.False(fifth.IsCompleted, $"the fifth record must wait for buffer memory; buffered {producer.BufferedBytes} of 2048 bytes");
        Assert.Equal(4 * 436, producer.BufferedBytes);

        gate.SetResult();
        await fifth.Within("waiting for buffer memory after the leader answered");
        await delivered.All.Within("delivering all five records");
        Assert.Equal(5, partition.StoredRecords().Count);
    }

    [Fact]
    public async Task LostAnswer_IsRetriedWithTheSameSequence_AndTheLeaderStoresTheRecordOnce()
    {
        _cluster.AddTopic("payments", 1);
        FakePartitionGrain partition = _cluster.Partition("payments", 0);
        partition.Interceptor = async (call, _, apply) =>
        {
            AppendResult stored = await apply();
            return call == 1 ? throw new TimeoutException("the answer was lost after the leader stored the batch") : stored;
        };
        await using OrleansLogProducer producer = Producer(FastRetries());

        RecordMetadata metadata = await producer.ProduceAsync("payments", "k", "pay 10", TestContext.Current.CancellationToken).Within("producing through a lost answer");

        Assert.Equal(0, metadata.Offset);
        Assert.Equal(2, partition.AppendCalls);
        Assert.Equal([(0L, "k", "pay 10")], partition.StoredRecords());
    }

    [Fact]
    public async Task ACancellationFromInsideTheCluster_IsRetriedLikeATimeout()
    {
        // Placing a partition while a thousand activate at once can time out inside the cluster; the call
        // then fails with a cancellation that is not the producer's own.
        _cluster.AddTopic("payments", 1);
        FakePartitionGrain partition = _cluster.Partition("payments", 0);
        partition.Interceptor = (call, _, apply) => call == 1 ? throw new OperationCanceledException("placement gave up") : apply();
        await using OrleansLogProducer producer = Producer(FastRetries());

        RecordMetadata metadata = await producer.ProduceAsync("payments", "k", "pay 10", TestContext.Current.CancellationToken).Within("producing through a cancelled placement");

        Assert.Equal(0, metadata.Offset);
        Assert.Equal(2, partition.AppendCalls);
    }

    [Fact]
    public async Task ABatchRefusedAsTooLarge_IsSplit_AndOnlyTheRecordTooLargeOnItsOwnFails()
    {
        _cluster.AddTopic("orders", 1);
        FakePartitionGrain partition = _cluster.Partition("orders", 0);
        partition.MaxBatchBytes = 1000; // max.message.bytes=1000
        ProducerOptions options = FastRetries();
        options.Linger = TimeSpan.FromSeconds(30); // one batch: the flush below sends it
        await using OrleansLogProducer producer = Producer(options);

        string[] keys = ["a", "b", "big", "d", "e"];
        var outcomes = new (RecordMetadata? Metadata, Exception? Error)?[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            int index = i;
            await producer.ProduceAsync(
                "orders",
                new Message { Key = Bytes(keys[i]), Value = new byte[keys[i] == "big" ? 5000 : 100] },
                (metadata, error) => outcomes[index] = (metadata, error),
                TestContext.Current.CancellationToken).Within($"enqueueing record {i}");
        }

        await producer.FlushAsync(TestContext.Current.CancellationToken).Within("flushing the batch and its splits");

        // Delivery reports run before a batch counts as done, so flush has seen every split part finish.
        Assert.All(outcomes, o => Assert.True(o.HasValue, "flush returned before every record of the split batch was reported"));
        var tooLarge = Assert.IsType<OrleansLogException>(outcomes[2]!.Value.Error);
        Assert.Equal(ErrorCode.MessageTooLarge, tooLarge.Error);
        Assert.Equal([0L, 1, 2, 3], outcomes.Where((_, i) => i != 2).Select(o => o!.Value.Metadata!.Value.Offset));
        Assert.Equal(["a", "b", "d", "e"], partition.StoredRecords().Select(r => r.Key));
    }

    [Fact]
    public async Task ABatchTooLargeOnlyAsAWhole_IsSplitUntilItFits_AndEveryRecordIsStoredOnceInOrder()
    {
        _cluster.AddTopic("orders", 1);
        FakePartitionGrain partition = _cluster.Partition("orders", 0);
        partition.MaxBatchBytes = 1000;
        ProducerOptions options = FastRetries();
        options.Linger = TimeSpan.FromSeconds(30);
        options.Compression = CompressionType.Gzip; // split batches keep the codec
        await using OrleansLogProducer producer = Producer(options);

        Task<RecordMetadata>[] sends = Enumerable.Range(0, 12)
            .Select(i => producer.ProduceAsync("orders", new Message { Key = Bytes($"k{i}"), Value = RandomBytes(i, 300) }, TestContext.Current.CancellationToken))
            .ToArray();
        await producer.FlushAsync(TestContext.Current.CancellationToken).Within("flushing the batch and its splits");
        RecordMetadata[] metadata = await Task.WhenAll(sends).Within("producing twelve records whose batch is too large");

        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), metadata.Select(m => m.Offset));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"k{i}"), partition.StoredRecords().Select(r => r.Key));
    }

    [Fact]
    public async Task BatchThatOvertakesAnEarlierOne_IsRetriedBehindIt_AndTheLogKeepsProduceOrder()
    {
        _cluster.AddTopic("ledger", 1);
        FakePartitionGrain partition = _cluster.Partition("ledger", 0);
        var thirdAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = new ConcurrentDictionary<int, int>();
        partition.Interceptor = async (_, header, apply) =>
        {
            int attempt = attempts.AddOrUpdate(header.BaseSequence, 1, static (_, n) => n + 1);
            if (header.BaseSequence == 1 && attempt == 1)
            {
                // The second batch is delayed in transit until the third one has been answered.
                await thirdAnswered.Task;
                return await apply();
            }

            AppendResult result = await apply();
            if (header.BaseSequence == 2 && attempt == 1)
            {
                thirdAnswered.SetResult();
            }

            return result;
        };
        await using OrleansLogProducer producer = Producer(FastRetries(batchBytes: 1024));

        // 1. A first record makes the leader know the producer id; afterwards batches are pipelined.
        await producer.ProduceAsync("ledger", "first", "0", TestContext.Current.CancellationToken).Within("producing the first record");

        // 2. 900-byte values: each record is a batch of its own, both in flight at once.
        Task<RecordMetadata> a = producer.ProduceAsync("ledger", new Message { Key = Bytes("a"), Value = new byte[900] }, TestContext.Current.CancellationToken);
        Task<RecordMetadata> b = producer.ProduceAsync("ledger", new Message { Key = Bytes("b"), Value = new byte[900] }, TestContext.Current.CancellationToken);
        RecordMetadata[] metadata = await Task.WhenAll(a, b).Within("producing two batches, the second overtaking the first");

        // 3. The overtaking batch was rejected as out of order, resent behind the first, stored once.
        Assert.Equal((1L, 2L), (metadata[0].Offset, metadata[1].Offset));
        Assert.Equal(["first", "a", "b"], partition.StoredRecords().Select(r => r.Key));
        Assert.Equal(2, attempts[2]);
    }

    [Fact]
    public async Task OvertakingBatch_WhoseRejectionArrivesAfterTheEarlierBatchWasAcknowledged_IsResentUnderTheSameProducerId()
    {
        _cluster.AddTopic("ledger", 1);
        FakePartitionGrain partition = _cluster.Partition("ledger", 0);
        var thirdAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondDelivered = new TaskCompletionSource<Task<RecordMetadata>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = new ConcurrentDictionary<int, int>();
        var producerIds = new ConcurrentBag<long>();
        partition.Interceptor = async (_, header, apply) =>
        {
            producerIds.Add(header.ProducerId);
            int attempt = attempts.AddOrUpdate(header.BaseSequence, 1, static (_, n) => n + 1);
            if (header.BaseSequence == 1 && attempt == 1)
            {
                await thirdAnswered.Task;
                return await apply();
            }

            AppendResult result = await apply();
            if (header.BaseSequence == 2 && attempt == 1)
            {
                // The rejection of the overtaking batch travels slowly: the earlier batch is acknowledged first.
                thirdAnswered.SetResult();
                await (await secondDelivered.Task);
            }

            return result;
        };
        await using OrleansLogProducer producer = Producer(FastRetries(batchBytes: 1024));
        await producer.ProduceAsync("ledger", "first", "0", TestContext.Current.CancellationToken).Within("producing the first record");

        Task<RecordMetadata> a = producer.ProduceAsync("ledger", new Message { Key = Bytes("a"), Value = new byte[900] }, TestContext.Current.CancellationToken);
        secondDelivered.SetResult(a);
        Task<RecordMetadata> b = producer.ProduceAsync("ledger", new Message { Key = Bytes("b"), Value = new byte[900] }, TestContext.Current.CancellationToken);
        RecordMetadata[] metadata = await Task.WhenAll(a, b).Within("producing two batches, the rejection of the second arriving last");

        Assert.Equal((1L, 2L), (metadata[0].Offset, metadata[1].Offset));
        Assert.Equal(["first", "a", "b"], partition.StoredRecords().Select(r => r.Key));
        Assert.Equal(2, attempts[2]);
        Assert.Single(producerIds.Distinct());
    }

    [Fact]
    public async Task RetriableLeaderError_IsRetried_UntilTheLeaderAccepts()
    {
        _cluster.AddTopic("orders", 1);
        FakePartitionGrain partition = _cluster.Partition("orders", 0);
        partition.Interceptor = (call, _, apply) => call <= 2
            ? Task.FromResult(AppendResult.Failure(ErrorCode.NotLeaderOrFollower, "the leader is moving"))
            : apply();
        await using OrleansLogProducer producer = Producer(FastRetries());

        RecordMetadata metadata = await producer.ProduceAsync("orders", "k", "v", TestContext.Current.CancellationToken).Within("producing through two leader moves");
        Assert.Equal(0, metadata.Offset);
        Assert.Equal(3, partition.AppendCalls);
    }

    [Fact]
    public async Task NonRetriableLeaderError_FailsTheRecords_WithTheLeadersCodeAndMessage()
    {
        _cluster.AddTopic("orders", 1);
        _cluster.Partition("orders", 0).Interceptor = (_, _, _) =>
            Task.FromResult(AppendResult.Failure(ErrorCode.InvalidRecord, "orders-0: compacted topics need keys"));
        await using OrleansLogProducer producer = Producer(FastRetries());

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => producer.ProduceAsync("orders", null, "v", TestContext.Current.CancellationToken).Within("producing a rejected record"));
        Assert.Equal(ErrorCode.InvalidRecord, error.Error);
        Assert.False(error.IsRetriable);
        Assert.Equal("orders-0: compacted topics need keys", error.Message);
    }

    [Fact]
    public async Task TransportFailuresUntilTheDeliveryTimeout_FailTheRecord_WithRequestTimedOut()
    {
        _cluster.AddTopic("orders", 1);
        _cluster.Partition("orders", 0).Interceptor = (_, _, _) => throw new TimeoutException("silo unreachable");
        ProducerOptions options = FastRetries();
        options.DeliveryTimeout = TimeSpan.FromMilliseconds(200);
        options.RequestTimeout = TimeSpan.FromMilliseconds(100);
        await using OrleansLogProducer producer = Producer(options);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => producer.ProduceAsync("orders", "k", "v", TestContext.Current.CancellationToken).Within("waiting for the delivery timeout"));
        Assert.Equal(ErrorCode.RequestTimedOut, error.Error);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Contains("silo unreachable", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlushAsync_SendsWithoutWaitingForLinger_AndCompletesWhenEverythingIsAcknowledged()
    {
        _cluster.AddTopic("events", 2);
        await using OrleansLogProducer producer = Producer(new ProducerOptions { Linger = TimeSpan.FromMinutes(1) });
        var delivered = new DeliveryRecorder(expected: 20);
        for (int i = 0; i < 20; i++)
        {
            await producer.ProduceAsync("events", new Message { Key = Bytes($"k{i}"), Value = Bytes($"v{i}") }, delivered.Handler, TestContext.Current.CancellationToken).Within($"buffering record {i}");
        }

        await producer.FlushAsync(TestContext.Current.CancellationToken).Within("flushing 20 records with a one-minute linger");

        Assert.True(delivered.All.IsCompletedSuccessfully, $"flush returned with {delivered.Count} of 20 records reported");
        Assert.Equal(20, _cluster.Partition("events", 0).StoredRecords().Count + _cluster.Partition("events", 1).StoredRecords().Count);
        Assert.Equal(0, producer.BufferedBytes);
    }

    [Fact]
    public async Task DisposeAsync_DeliversBufferedRecords_AndLaterProducingThrows()
    {
        _cluster.AddTopic("events", 1);
        OrleansLogProducer producer = Producer(new ProducerOptions { Linger = TimeSpan.FromMinutes(1) });
        Task<RecordMetadata> pending = producer.ProduceAsync("events", "k", "v", TestContext.Current.CancellationToken);

        await producer.DisposeAsync().AsTask().Within("disposing with one buffered record");

        Assert.Equal(0, (await pending).Offset);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => producer.ProduceAsync("events", "k", "v", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AcksNone_ReportsDeliveryWithOffsetMinusOne()
    {
        _cluster.AddTopic("metrics", 1);
        await using OrleansLogProducer producer = Producer(new ProducerOptions { Acks = Acks.None, EnableIdempotence = false, Linger = TimeSpan.Zero });

        RecordMetadata metadata = await producer.ProduceAsync("metrics", null, "cpu=3", TestContext.Current.CancellationToken).Within("producing with acks=none");
        await producer.FlushAsync(TestContext.Current.CancellationToken).Within("flushing");

        Assert.Equal(-1, metadata.Offset);
        Assert.Equal([Acks.None], _cluster.Partition("metrics", 0).AcksSeen);
        Assert.Equal(0, _cluster.ProducerIds.Calls);
    }

    [Fact]
    public async Task IdempotentProducer_GetsOneProducerId_AndStampsItOnEveryBatch()
    {
        _cluster.AddTopic("orders", 2);
        await using OrleansLogProducer producer = Producer(new ProducerOptions { Linger = TimeSpan.Zero });
        await Task.WhenAll(
            producer.ProduceAsync("orders", "foobar", "1", TestContext.Current.CancellationToken),
            producer.ProduceAsync("orders", "abc", "2", TestContext.Current.CancellationToken)).Within("producing to two partitions");

        Assert.Equal(1, _cluster.ProducerIds.Calls);
        IEnumerable<RecordBatchHeader> headers = _cluster.Partition("orders", 0).StoredBatches.Concat(_cluster.Partition("orders", 1).StoredBatches);
        Assert.All(headers, h => Assert.Equal((1000L, 0), (h.ProducerId, h.BaseSequence)));
    }

    [Fact]
    public async Task ProduceAsync_WithHeadersAndTimestamp_StoresThem()
    {
        _cluster.AddTopic("orders", 1);
        await using OrleansLogProducer producer = Producer(new ProducerOptions { Linger = TimeSpan.Zero });
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        RecordMetadata metadata = await producer.ProduceAsync(
            "orders",
            new Message { Value = Bytes("v"), Headers = [new RecordHeader("trace", Bytes("abc")), new RecordHeader("empty", null)], Timestamp = timestamp },
            TestContext.Current.CancellationToken).Within("producing a record with headers");

        Assert.Equal(timestamp, metadata.Timestamp);
        RecordBatchHeader header = Assert.Single(_cluster.Partition("orders", 0).StoredBatches);
        Assert.Equal(timestamp.ToUnixTimeMilliseconds(), header.BaseTimestamp);
    }

    private OrleansLogProducer Producer(ProducerOptions options, TimeProvider? time = null) =>
        new(_cluster, options, logger: null, time, new Random(1234));

    private static ProducerOptions FastRetries(int batchBytes = ProducerOptions.DefaultBatchBytes) => new()
    {
        Linger = TimeSpan.Zero,
        BatchBytes = batchBytes,
        RetryBackoff = TimeSpan.FromMilliseconds(1),
        RetryBackoffMax = TimeSpan.FromMilliseconds(5),
    };

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Incompressible bytes, so a compressed batch is as large as its records.</summary>
    private static byte[] RandomBytes(int seed, int length)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
