using Microsoft.Extensions.Logging.Abstractions;
using OrleansLog.Records;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the per-partition accumulator and its retry rules without threads or clocks: batching by linger
/// and batch size, the in-flight bound, sequence numbers assigned in send order and kept across retries,
/// resending in order after a failure, producer-id renewal after a sequence gap, and delivery timeouts.
/// Time is passed in as plain milliseconds.
/// </summary>
public sealed class PartitionQueueTests
{
    private static readonly TopicPartition Tp = new("orders", 0);

    private readonly List<(RecordMetadata? Metadata, Exception? Error)> _outcomes = [];
    private readonly RecordBatchBuilderPool _builders = new(CompressionType.None, 1024);

    [Fact]
    public void Drain_BeforeLingerEnds_SendsNothing_AndAsksToWakeWhenItEnds()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.FromMilliseconds(5) });
        Append(queue, nowMs: 100, valueBytes: 10);
        Append(queue, nowMs: 101, valueBytes: 10);
        Append(queue, nowMs: 102, valueBytes: 10);

        List<ProducerBatch> early = Drain(queue, nowMs: 104, out long wake);
        Assert.Empty(early);
        Assert.Equal(105, wake);

        List<ProducerBatch> due = Drain(queue, nowMs: 105, out _);
        ProducerBatch batch = Assert.Single(due);
        Assert.Equal(3, batch.RecordCount);
        Assert.False(queue.HasOpenBatch);
    }

    [Fact]
    public void TryAppend_ClosesTheBatchWhenBatchBytesIsReached_AndDrainSendsItBeforeLingerEnds()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.FromSeconds(10), BatchBytes = 1024 });
        int appended = 0;
        bool closed = false;
        while (!closed)
        {
            closed = Append(queue, nowMs: 0, valueBytes: 100) is (_, true);
            appended++;
        }

        ProducerBatch full = Assert.Single(Drain(queue, nowMs: 0, out _));
        Assert.Equal(appended - 1, full.RecordCount);
        Assert.InRange(full.EstimatedSizeInBytes, 900, 1024);
        Assert.True(queue.HasOpenBatch, "the record that did not fit must have opened the next batch");
    }

    [Fact]
    public void TryAppend_WithAbortOnNewBatch_ReportsNewBatchRequired_InsteadOfOpeningOne()
    {
        PartitionQueue queue = Queue();
        (AppendStatus status, _) = Append(queue, nowMs: 0, valueBytes: 10, abortOnNewBatch: true);
        Assert.Equal(AppendStatus.NewBatchRequired, status);
        Assert.False(queue.HasOpenBatch);

        Assert.Equal(AppendStatus.AppendedToNewBatch, Append(queue, nowMs: 0, valueBytes: 10).Status);
        Assert.Equal(AppendStatus.Appended, Append(queue, nowMs: 0, valueBytes: 10, abortOnNewBatch: true).Status);
    }

    [Fact]
    public void Drain_AssignsConsecutiveSequences_WhenBatchesAreFirstSent()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.Zero }, new ProducerIdAndEpoch(77, 3));
        AppendMany(queue, nowMs: 0, count: 3);
        ProducerBatch first = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        AppendMany(queue, nowMs: 1, count: 2);
        Complete(queue, first, Success(0, first), nowMs: 1);
        ProducerBatch second = Assert.Single(SendAll(Drain(queue, nowMs: 1, out _)));

        Assert.Equal((77L, (short)3, 0), (first.ProducerId, first.ProducerEpoch, first.BaseSequence));
        Assert.Equal((77L, (short)3, 3), (second.ProducerId, second.ProducerEpoch, second.BaseSequence));
        RecordBatchHeader header = RecordBatchHeader.Read(second.Payload);
        Assert.Equal((77L, (short)3, 3, 2), (header.ProducerId, header.ProducerEpoch, header.BaseSequence, header.RecordsCount));
    }

    [Fact]
    public void Drain_WithoutIdempotence_SendsBatchesWithoutProducerState()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.Zero, EnableIdempotence = false, Acks = Acks.Leader });
        AppendMany(queue, nowMs: 0, count: 2);
        ProducerBatch batch = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        RecordBatchHeader header = RecordBatchHeader.Read(batch.Payload);
        Assert.Equal((-1L, -1), (header.ProducerId, header.BaseSequence));
    }

    [Fact]
    public void Drain_SendsAtMostMaxInFlightBatches_AndMoreAsAnswersArrive()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.FromSeconds(10), BatchBytes = 1024, MaxInFlightPerPartition = 2 });
        ProducerBatch first = ConfirmProducerId(queue);
        Assert.Equal(0, first.BaseSequence);
        for (int i = 0; i < 4; i++)
        {
            Append(queue, nowMs: 0, valueBytes: 900); // each record fills a batch
        }

        List<ProducerBatch> sent = SendAll(Drain(queue, nowMs: 0, out _));
        Assert.Equal(2, sent.Count);
        Assert.Empty(Drain(queue, nowMs: 0, out _));

        Complete(queue, sent[0], Success(1, sent[0]), nowMs: 1);
        ProducerBatch next = Assert.Single(SendAll(Drain(queue, nowMs: 1, out _)));
        Assert.Equal(3, next.BaseSequence);
    }

    [Fact]
    public void UnderANewProducerId_OnlyOneBatchIsInFlight_UntilTheLeaderAcknowledgesOne()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.FromSeconds(10), BatchBytes = 1024 });
        for (int i = 0; i < 4; i++)
        {
            Append(queue, nowMs: 0, valueBytes: 900);
        }

        ProducerBatch first = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        Assert.Empty(Drain(queue, nowMs: 0, out _));

        Complete(queue, first, Success(0, first), nowMs: 1);
        Assert.Equal(2, SendAll(Drain(queue, nowMs: 1, out _)).Count);
    }

    [Fact]
    public void RetriableFailure_ResendsInOrderWithTheSameSequences_AfterInFlightBatchesAnswerAndTheBackoffPasses()
    {
        var options = new ProducerOptions { Linger = TimeSpan.FromSeconds(10), BatchBytes = 1024, RetryBackoff = TimeSpan.FromMilliseconds(100) };
        PartitionQueue queue = Queue(options);
        ConfirmProducerId(queue);
        Append(queue, nowMs: 0, valueBytes: 900);
        Append(queue, nowMs: 0, valueBytes: 900);
        List<ProducerBatch> sent = SendAll(Drain(queue, nowMs: 0, out _));
        Assert.Equal(2, sent.Count);
        (ProducerBatch a, ProducerBatch b) = (sent[0], sent[1]);

        // 1. A fails retriably: the partition stops sending while B is still in flight.
        Complete(queue, a, AppendResult.Failure(ErrorCode.NotLeaderOrFollower, "leader moved"), nowMs: 10);
        Assert.Empty(Drain(queue, nowMs: 10, out _));

        // 2. B overtook A and is rejected as out of order: retried behind A, no new producer id. The
        //    partition resumes once the later of the two backoffs has passed.
        Complete(queue, b, AppendResult.Failure(ErrorCode.OutOfOrderSequenceNumber, "gap"), nowMs: 20);
        Assert.Empty(Drain(queue, nowMs: 119, out long wake));
        Assert.Equal(120, wake);

        // 3. After the backoff both go again, in order, with their original sequences.
        List<ProducerBatch> resent = SendAll(Drain(queue, nowMs: 120, out _));
        Assert.Equal([a, b], resent);
        Assert.Equal((1, 2), (a.BaseSequence, b.BaseSequence));
        Assert.Equal((2, 2), (a.Attempts, b.Attempts));
        Assert.Equal(1, RecordBatchHeader.Read(a.Payload).BaseSequence);
    }

    [Fact]
    public void OutOfOrderForTheOldestBatch_RenewsTheProducerId_AndRenumbersTheBatchFromZero()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.Zero }, new ProducerIdAndEpoch(5, 0));
        AppendMany(queue, nowMs: 0, count: 1);
        ProducerBatch first = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        Complete(queue, first, Success(0, first), nowMs: 1);
        AppendMany(queue, nowMs: 1, count: 4);
        ProducerBatch batch = Assert.Single(SendAll(Drain(queue, nowMs: 1, out _)));
        Assert.Equal(1, batch.BaseSequence);

        // The leader lost our producer state: the oldest unfinished batch does not continue its sequence.
        Complete(queue, batch, AppendResult.Failure(ErrorCode.UnknownProducerId, "unknown producer 5"), nowMs: 2);
        var finished = new List<ProducerBatch>();
        long wake = long.MaxValue;
        Assert.True(queue.Drain(1_000, [], finished, ref wake), "the partition must ask for a new producer id");
        Assert.False(queue.Drain(1_000, [], finished, ref wake), "the request is made once");

        queue.ApplyNewProducerId(new ProducerIdAndEpoch(6, 0), finished);
        Assert.Empty(finished);
        Assert.Equal((6L, 0), (batch.ProducerId, batch.BaseSequence));
        BatchValidationResult rewritten = RecordBatchValidator.Validate(batch.Payload, 1 << 20);
        Assert.True(rewritten.IsValid, rewritten.Message);
        Assert.Equal((6L, 0, 4), (rewritten.Header.ProducerId, rewritten.Header.BaseSequence, rewritten.Header.RecordsCount));
        Assert.Equal([batch], SendAll(Drain(queue, nowMs: 1_000, out _)));
    }

    [Fact]
    public void ProducerIdRenewal_FailsBatchesWhoseEarlierAttemptMayHaveBeenStored_AndRenumbersTheRest()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.FromSeconds(10), BatchBytes = 1024 });
        ConfirmProducerId(queue);
        Append(queue, nowMs: 0, valueBytes: 900);
        Append(queue, nowMs: 0, valueBytes: 900);
        Append(queue, nowMs: 0, valueBytes: 900);
        List<ProducerBatch> sent = SendAll(Drain(queue, nowMs: 0, out _));
        Assert.Equal(3, sent.Count);

        // A's answer is lost (it may be stored); B is rejected for good; C answers that it overtook A.
        List<ProducerBatch> finished = Complete(queue, sent[0], default, nowMs: 1, new TimeoutException("no answer"));
        finished.AddRange(Complete(queue, sent[1], AppendResult.Failure(ErrorCode.MessageTooLarge, "too big"), nowMs: 2));
        finished.AddRange(Complete(queue, sent[2], AppendResult.Failure(ErrorCode.OutOfOrderSequenceNumber, "gap"), nowMs: 3));
        Assert.Equal([sent[1]], finished);

        long wake = long.MaxValue;
        Assert.True(queue.Drain(10_000, [], finished, ref wake));
        queue.ApplyNewProducerId(new ProducerIdAndEpoch(9, 0), finished);
        Report(finished);

        Assert.Equal(ErrorCode.MessageTooLarge, ErrorOf(0));
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, ErrorOf(1));
        Assert.Equal((9L, 0), (sent[2].ProducerId, sent[2].BaseSequence));
        // Under the new id one batch goes first; the rest follow once it is acknowledged.
        ProducerBatch resent = Assert.Single(SendAll(Drain(queue, nowMs: 10_000, out _)));
        Assert.Equal(sent[2], resent);
        Complete(queue, resent, Success(5, resent), nowMs: 10_001);
        Assert.Equal(1, Assert.Single(SendAll(Drain(queue, nowMs: 10_001, out _))).BaseSequence);
    }

    [Theory]
    [InlineData(ErrorCode.RequestTimedOut)]
    [InlineData(ErrorCode.NotEnoughReplicasAfterAppend)]
    [InlineData(ErrorCode.NotLeaderOrFollower)]
    [InlineData(ErrorCode.KafkaStorageError)]
    public void AnAnswerThatMayFollowAStoredBatch_MakesItsOutcomeUnknown_SoAProducerIdRenewalFailsItRatherThanRenumbering(ErrorCode answer)
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.Zero, RetryBackoff = TimeSpan.FromMilliseconds(1) }, new ProducerIdAndEpoch(5, 0));
        AppendMany(queue, nowMs: 0, count: 1);
        ProducerBatch first = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        Complete(queue, first, Success(0, first), nowMs: 0);
        AppendMany(queue, nowMs: 0, count: 1);
        ProducerBatch batch = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));

        // The leader stored the batch, then answered with an error (timed out waiting for the ISR, resigned, ...).
        List<ProducerBatch> finished = Complete(queue, batch, AppendResult.Failure(answer, "appended, not acknowledged"), nowMs: 1);
        Assert.Empty(finished);
        ProducerBatch resent = Assert.Single(SendAll(Drain(queue, nowMs: 1_000, out _)));
        finished.AddRange(Complete(queue, resent, AppendResult.Failure(ErrorCode.UnknownProducerId, "the new leader lost the producer"), nowMs: 1_001));
        long wake = long.MaxValue;
        Assert.True(queue.Drain(2_000, [], finished, ref wake));
        queue.ApplyNewProducerId(new ProducerIdAndEpoch(9, 0), finished);
        Report(finished);

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, ErrorOf(0));
    }

    [Fact]
    public void Drain_FailsABatchPastItsDeliveryTimeout_WithRequestTimedOut()
    {
        // A backoff longer than the delivery timeout: the batch expires while it waits to be resent.
        var options = new ProducerOptions
        {
            Linger = TimeSpan.Zero,
            DeliveryTimeout = TimeSpan.FromSeconds(1),
            RetryBackoff = TimeSpan.FromSeconds(5),
            RetryBackoffMax = TimeSpan.FromSeconds(5),
        };
        PartitionQueue queue = Queue(options);
        AppendMany(queue, nowMs: 0, count: 2);
        ProducerBatch batch = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        Complete(queue, batch, AppendResult.Failure(ErrorCode.NotEnoughReplicas, "isr too small"), nowMs: 10);

        var finished = new List<ProducerBatch>();
        long wake = long.MaxValue;
        queue.Drain(999, [], finished, ref wake);
        Assert.Empty(finished);
        queue.Drain(1_000, [], finished, ref wake);
        Report(finished);

        Assert.Equal(2, _outcomes.Count);
        var error = Assert.IsType<OrleansLogException>(_outcomes[0].Error);
        Assert.Equal(ErrorCode.RequestTimedOut, error.Error);
        Assert.Contains("isr too small", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Success_ReportsConsecutiveOffsets_FromTheBaseOffset()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.Zero });
        AppendMany(queue, nowMs: 0, count: 3);
        ProducerBatch batch = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        Report(Complete(queue, batch, Success(40, batch), nowMs: 1));

        Assert.Equal([40L, 41L, 42L], _outcomes.Select(o => o.Metadata!.Value.Offset));
        Assert.All(_outcomes, o => Assert.Equal(Tp, o.Metadata!.Value.TopicPartition));
    }

    [Fact]
    public void AcksNone_NeverRetries()
    {
        PartitionQueue queue = Queue(new ProducerOptions { Linger = TimeSpan.Zero, EnableIdempotence = false, Acks = Acks.None });
        AppendMany(queue, nowMs: 0, count: 1);
        ProducerBatch batch = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        Assert.Equal([batch], Complete(queue, batch, AppendResult.Failure(ErrorCode.NotLeaderOrFollower, "moved"), nowMs: 1));
        Assert.Empty(Drain(queue, nowMs: 10_000, out _));
        Assert.Equal(0, queue.UnfinishedBatchCount);
    }

    [Theory]
    [InlineData(0, 5, 5)]
    [InlineData(int.MaxValue, 1, 0)]
    [InlineData(int.MaxValue - 2, 5, 2)]
    public void NextSequence_WrapsFromIntMaxValueToZero(int sequence, int records, int expected)
    {
        Assert.Equal(expected, PartitionQueue.NextSequence(sequence, records));
    }

    private PartitionQueue Queue(ProducerOptions? options = null, ProducerIdAndEpoch? producerId = null) =>
        new(Tp, new FakePartitionGrain(Tp), options ?? new ProducerOptions(), _builders, producerId ?? new ProducerIdAndEpoch(1000, 0));

    /// <summary>
    /// Sends one 900-byte batch and acknowledges it, so the leader knows the producer id and later batches may
    /// be pipelined; leaves the record that closed it in the open batch. Returns the acknowledged batch.
    /// </summary>
    private ProducerBatch ConfirmProducerId(PartitionQueue queue)
    {
        Append(queue, nowMs: 0, valueBytes: 900);
        Append(queue, nowMs: 0, valueBytes: 900);
        ProducerBatch first = Assert.Single(SendAll(Drain(queue, nowMs: 0, out _)));
        Report(Complete(queue, first, Success(0, first), nowMs: 0));
        _outcomes.Clear();
        return first;
    }

    private (AppendStatus Status, bool Closed) Append(PartitionQueue queue, long nowMs, int valueBytes, bool abortOnNewBatch = false)
    {
        DeliveryHandler handler = (metadata, error) => _outcomes.Add((metadata, error));
        AppendStatus status = queue.TryAppend(nowMs, null, new byte[valueBytes], default, valueBytes + 36, handler, abortOnNewBatch, nowMs, out bool closed);
        return (status, closed);
    }

    private void AppendMany(PartitionQueue queue, long nowMs, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Append(queue, nowMs, valueBytes: 10);
        }
    }

    private static List<ProducerBatch> Drain(PartitionQueue queue, long nowMs, out long wakeMs)
    {
        var toSend = new List<ProducerBatch>();
        wakeMs = long.MaxValue;
        queue.Drain(nowMs, toSend, [], ref wakeMs);
        return toSend;
    }

    /// <summary>Does what the sender loop does before calling the grain: seal new batches and take the bytes.</summary>
    private List<ProducerBatch> SendAll(List<ProducerBatch> batches)
    {
        foreach (ProducerBatch batch in batches)
        {
            if (batch.Builder is not null)
            {
                _builders.Return(batch.Seal());
            }

            batch.TakePayloadForSend();
        }

        return batches;
    }

    private static List<ProducerBatch> Complete(PartitionQueue queue, ProducerBatch batch, AppendResult result, long nowMs, Exception? transportError = null)
    {
        var finished = new List<ProducerBatch>();
        queue.OnSendCompleted(batch, result, transportError, nowMs, finished);
        return finished;
    }

    private void Report(List<ProducerBatch> finished)
    {
        foreach (ProducerBatch batch in finished)
        {
            batch.Report(NullLogger.Instance);
        }
    }

    private ErrorCode ErrorOf(int index)
    {
        return Assert.IsType<OrleansLogException>(_outcomes[index].Error).Error;
    }

    private static AppendResult Success(long baseOffset, ProducerBatch batch) =>
        AppendResult.Success(baseOffset, baseOffset + batch.RecordCount - 1, -1, 0);
}
