using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// One batch of records for one partition, from the first append until every record's outcome is
/// reported: open (records appended into a pooled <see cref="RecordBatchBuilder"/>), closed (full or
/// lingered out, waiting for its first send), in flight (given its producer id and sequence, sealed into
/// RecordBatch v2 bytes and handed to the grain), ready (sealed, waiting to be re-sent), done.
/// </summary>
/// <remarks>
/// Not thread-safe: its <see cref="PartitionQueue"/> guards every state change with the queue's lock; the
/// exceptions are <see cref="Seal"/> and <see cref="TakePayloadForSend"/>, run outside the lock by the sender
/// loop, which owns an in-flight batch. Per record it keeps only the completion object and timestamp, in a
/// pooled array, so appending allocates nothing.
/// </remarks>
internal sealed class ProducerBatch
{
    private const int InitialDeliveryCapacity = 64;

    private Delivery[] _deliveries;
    private TaskCompletionSource? _done;
    private bool _payloadHandedOut;
    private long _baseOffset = -1;
    private long _logAppendTimeMs = -1;
    private Exception? _failure;

    public ProducerBatch(TopicPartition topicPartition, RecordBatchBuilder builder, long createdMs, long deliveryTimeoutMs)
    {
        TopicPartition = topicPartition;
        Builder = builder;
        CreatedMs = createdMs;
        DeadlineMs = createdMs + deliveryTimeoutMs;
        _deliveries = ArrayPool<Delivery>.Shared.Rent(InitialDeliveryCapacity);
    }

    public TopicPartition TopicPartition { get; }

    public ProducerBatchState State { get; set; } = ProducerBatchState.Open;

    /// <summary>The builder while the batch is open or being sealed; null afterwards.</summary>
    public RecordBatchBuilder? Builder { get; private set; }

    /// <summary>Monotonic milliseconds when the first record arrived; linger counts from here.</summary>
    public long CreatedMs { get; }

    /// <summary>Monotonic milliseconds after which the batch fails instead of being (re)sent.</summary>
    public long DeadlineMs { get; }

    public int RecordCount { get; private set; }

    /// <summary>Buffer memory the records reserved; released when the batch is done.</summary>
    public long ReservedBytes { get; private set; }

    /// <summary>The sealed RecordBatch v2 bytes; null until sealed.</summary>
    public byte[]? Payload { get; private set; }

    public long ProducerId { get; private set; } = RecordBatchLayout.NoProducerId;

    public short ProducerEpoch { get; private set; } = RecordBatchLayout.NoProducerEpoch;

    public int BaseSequence { get; private set; } = RecordBatchLayout.NoSequence;

    public bool HasSequence => BaseSequence != RecordBatchLayout.NoSequence;

    /// <summary>Number of times the batch was handed to the partition grain.</summary>
    public int Attempts { get; set; }

    /// <summary>
    /// True once an attempt ended without a definite answer (a transport failure or timeout): the leader may
    /// have stored the batch. Cleared only by success. Such a batch is never renumbered under a new producer
    /// id, because the leader could not recognise it as a duplicate any more.
    /// </summary>
    public bool OutcomeUnknown { get; set; }

    /// <summary>
    /// True when an earlier batch of the same partition was still unanswered as this attempt was sent: an
    /// OutOfOrderSequenceNumber answer then means this attempt overtook it, even if that batch has been
    /// acknowledged since (answers are not ordered either), and the attempt is simply resent.
    /// </summary>
    public bool SentBehindUnfinished { get; set; }

    /// <summary>
    /// A part of a batch the leader refused as too large (<see cref="SplitInHalves"/>). While parts are
    /// unfinished the partition sends one batch at a time: a part may hold a record that fails on its own,
    /// and a batch sent behind it would wait at the leader for sequence numbers that never come.
    /// </summary>
    public bool IsSplitPart { get; private init; }

    /// <summary>The error of the last failed attempt, reported if the batch finally fails.</summary>
    public Exception? LastError { get; set; }

    /// <summary>
    /// Appends one record; false when the builder is full (the first record always fits). The record's
    /// <paramref name="completion"/> is a <see cref="TaskCompletionSource{RecordMetadata}"/> or a
    /// <see cref="DeliveryHandler"/>.
    /// </summary>
    public bool TryAppend(long timestampMs, byte[]? key, byte[]? value, ReadOnlySpan<RecordHeader> headers, int reservedBytes, object completion)
    {
        if (!Builder!.TryAppend(timestampMs, key, key is null, value, value is null, headers))
        {
            return false;
        }

        AppendDelivery(new Delivery(completion, timestampMs));
        ReservedBytes += reservedBytes;
        return true;
    }

    /// <summary>Estimated sealed size, for tests and logs.</summary>
    public int EstimatedSizeInBytes => Payload?.Length ?? Builder?.EstimatedSizeInBytes ?? 0;

    /// <summary>Assigns the idempotent producer state; called when the batch is first sent.</summary>
    public void SetProducerState(long producerId, short producerEpoch, int baseSequence)
    {
        ProducerId = producerId;
        ProducerEpoch = producerEpoch;
        BaseSequence = baseSequence;
    }

    /// <summary>
    /// Seals the builder into <see cref="Payload"/> (with the producer state, if any) and returns the builder
    /// for reuse. Runs outside the queue's lock on the sender loop, which owns an in-flight batch.
    /// </summary>
    public RecordBatchBuilder Seal()
    {
        RecordBatchBuilder builder = Builder!;
        if (HasSequence)
        {
            builder.SetProducerState(ProducerId, ProducerEpoch, BaseSequence);
        }

        Payload = builder.SealToArray();
        Builder = null;
        return builder;
    }

    /// <summary>Detaches the builder of a batch that finished without being sealed, for reuse.</summary>
    public RecordBatchBuilder? TakeBuilder()
    {
        RecordBatchBuilder? builder = Builder;
        Builder = null;
        return builder;
    }

    /// <summary>
    /// The bytes to hand to the grain for the next attempt. A grain in the same silo receives the array by
    /// reference and stamps offsets into it (<see cref="RecordBatchPayload"/>), so every attempt after the
    /// first sends a copy.
    /// </summary>
    public byte[] TakePayloadForSend()
    {
        byte[] payload = Payload!;
        if (_payloadHandedOut)
        {
            payload = (byte[])payload.Clone();
            Payload = payload;
        }

        _payloadHandedOut = true;
        Attempts++;
        return payload;
    }

    /// <summary>
    /// Gives a sealed batch a new producer id and sequence (after the producer id was reset), rewriting
    /// the header fields and the CRC in a copy of the bytes.
    /// </summary>
    public void Resequence(long producerId, short producerEpoch, int baseSequence)
    {
        SetProducerState(producerId, producerEpoch, baseSequence);
        byte[] copy = (byte[])Payload!.Clone();
        RecordBatchHeader header = RecordBatchHeader.Read(copy) with
        {
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            BaseSequence = baseSequence,
        };
        header.WriteTo(copy);
        RecordBatchHeader.WriteCrc(copy);
        Payload = copy;

        // The copy has not been handed out; the next attempt may send it without copying again.
        _payloadHandedOut = false;
    }

    /// <summary>
    /// Splits a sealed batch that the leader refused as too large (MessageTooLarge, RecordListTooLarge) into two
    /// sealed halves in record order, as Kafka's producer splits such a batch: split again while needed, only a
    /// record too large on its own fails. Each half keeps its records' completions, a share of the reserved
    /// memory, the batch's deadline and — when the batch was sequenced — its records' part of the sequence
    /// range, so batches behind it keep theirs. The leader refuses a batch for its size before writing it, so
    /// the halves are new to it. Any flush waiting on this batch waits for both halves.
    /// </summary>
    public (ProducerBatch First, ProducerBatch Second) SplitInHalves(RecordBatchReader records)
    {
        if (RecordCount < 2 || Payload is null)
        {
            throw new InvalidOperationException($"Only a sealed batch of two or more records splits; this one for {TopicPartition} holds {RecordCount}.");
        }

        int firstCount = RecordCount / 2;
        long firstReserved = ReservedBytes * firstCount / RecordCount;
        ProducerBatch first = Part(0, firstCount, firstReserved, BaseSequence, records);
        ProducerBatch second = Part(
            firstCount,
            RecordCount - firstCount,
            ReservedBytes - firstReserved,
            HasSequence ? PartitionQueue.NextSequence(BaseSequence, firstCount) : RecordBatchLayout.NoSequence,
            records);
        if (_done is { } waiting)
        {
            _ = Task.WhenAll(first.WhenDone(), second.WhenDone()).ContinueWith(_ => waiting.TrySetResult(), TaskScheduler.Default);
        }

        // The records now belong to the halves; this batch reports nothing.
        Reported = true;
        State = ProducerBatchState.Done;
        ArrayPool<Delivery>.Shared.Return(_deliveries, clearArray: true);
        _deliveries = [];
        return (first, second);
    }

    private ProducerBatch Part(int start, int count, long reservedBytes, int baseSequence, RecordBatchReader records)
    {
        RecordBatchHeader header = RecordBatchHeader.Read(Payload);
        using var builder = new RecordBatchBuilder(header.Compression, int.MaxValue);
        var part = new ProducerBatch(TopicPartition, builder, CreatedMs, DeadlineMs - CreatedMs)
        {
            LastError = LastError,
            IsSplitPart = true,
        };
        int index = 0;
        records.Reset(Payload, verifyCrc: false);
        while (records.MoveNext())
        {
            if (index >= start && index < start + count)
            {
                Record record = records.Current;
                RecordHeader[] headers = record.Headers.ToArray();
                builder.TryAppend(record.Timestamp, record.Key.Span, record.KeyIsNull, record.Value.Span, record.ValueIsNull, headers);
                Delivery delivery = _deliveries[index];
                part.AppendDelivery(delivery);
            }

            index++;
        }

        part.ReservedBytes = reservedBytes;
        if (baseSequence != RecordBatchLayout.NoSequence)
        {
            part.SetProducerState(ProducerId, ProducerEpoch, baseSequence);
        }

        part.Seal();
        part.State = ProducerBatchState.Ready;
        return part;
    }

    private void AppendDelivery(Delivery delivery)
    {
        if (RecordCount == _deliveries.Length)
        {
            Delivery[] grown = ArrayPool<Delivery>.Shared.Rent(RecordCount * 2);
            _deliveries.AsSpan(0, RecordCount).CopyTo(grown);
            ArrayPool<Delivery>.Shared.Return(_deliveries, clearArray: true);
            _deliveries = grown;
        }

        _deliveries[RecordCount++] = delivery;
    }

    /// <summary>Marks the batch done and delivered; <see cref="Report"/> tells the records outside the lock.</summary>
    public void SetSucceeded(long baseOffset, long logAppendTimeMs)
    {
        State = ProducerBatchState.Done;
        OutcomeUnknown = false;
        _baseOffset = baseOffset;
        _logAppendTimeMs = logAppendTimeMs;
    }

    /// <summary>Marks the batch done and failed; <see cref="Report"/> tells the records outside the lock.</summary>
    public void SetFailed(Exception error)
    {
        State = ProducerBatchState.Done;
        _failure = error;
    }

    /// <summary>Set when the records were already told (acks=none reports at send time).</summary>
    public bool Reported { get; private set; }

    /// <summary>Tells every record its outcome, once. Call outside any lock.</summary>
    public void Report(ILogger logger)
    {
        if (Reported)
        {
            return;
        }

        Reported = true;
        if (_failure is null)
        {
            ReportSuccess(logger);
        }
        else
        {
            ReportFailure(_failure, logger);
        }
    }

    /// <summary>Returns the records' deliveries array to the pool and wakes flush waiters. Call once, after <see cref="Report"/>, when the batch is done.</summary>
    public void Finish()
    {
        Delivery[] deliveries = _deliveries;
        _deliveries = [];
        if (deliveries.Length > 0)
        {
            ArrayPool<Delivery>.Shared.Return(deliveries, clearArray: true);
        }

        _done?.TrySetResult();
    }

    /// <summary>A task that completes when every record's outcome has been reported, for flush.</summary>
    public Task WhenDone()
    {
        if (State == ProducerBatchState.Done)
        {
            return Task.CompletedTask;
        }

        _done ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _done.Task;
    }

    private void ReportSuccess(ILogger logger)
    {
        string topic = TopicPartition.Topic;
        int partition = TopicPartition.Partition;
        long baseOffset = _baseOffset;
        Span<Delivery> deliveries = _deliveries.AsSpan(0, RecordCount);
        for (int i = 0; i < deliveries.Length; i++)
        {
            ref Delivery delivery = ref deliveries[i];
            long timestamp = _logAppendTimeMs >= 0 ? _logAppendTimeMs : delivery.TimestampMs;
            var metadata = new RecordMetadata(topic, partition, baseOffset < 0 ? -1 : baseOffset + i, DateTimeOffset.FromUnixTimeMilliseconds(timestamp));
            switch (delivery.Completion)
            {
                case TaskCompletionSource<RecordMetadata> source:
                    source.TrySetResult(metadata);
                    break;
                case DeliveryHandler handler:
                    Invoke(handler, metadata, null, logger);
                    break;
            }
        }
    }

    private void ReportFailure(Exception error, ILogger logger)
    {
        Span<Delivery> deliveries = _deliveries.AsSpan(0, RecordCount);
        for (int i = 0; i < deliveries.Length; i++)
        {
            switch (deliveries[i].Completion)
            {
                case TaskCompletionSource<RecordMetadata> source:
                    source.TrySetException(error);
                    break;
                case DeliveryHandler handler:
                    Invoke(handler, null, error, logger);
                    break;
            }
        }
    }

    private void Invoke(DeliveryHandler handler, RecordMetadata? metadata, Exception? error, ILogger logger)
    {
        try
        {
            handler(metadata, error);
        }
        catch (Exception ex)
        {
            OrleansLogProducer.LogDeliveryHandlerFailed(logger, ex, TopicPartition.Topic, TopicPartition.Partition);
        }
    }

    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Delivery(object Completion, long TimestampMs);
}
