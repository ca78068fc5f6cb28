using OrleansLog.Grains;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// Everything the producer keeps for one partition: the open batch records are appended to, the closed
/// batches in the order they will carry sequence numbers, the in-flight count, and the retry and
/// idempotence state (Kafka's <c>RecordAccumulator</c> deque plus the partition's part of its
/// <c>TransactionManager</c>).
/// </summary>
/// <remarks>
/// <para>
/// Ordering: batches are sent strictly in the order they were closed, at most
/// <see cref="ProducerOptions.MaxInFlightPerPartition"/> at a time. A batch gets its producer id and base
/// sequence when it is first sent, and keeps them for every retry, so the leader recognises a retry of a
/// batch it already stored and answers with the original offsets instead of storing it twice. Under a new
/// producer id only one batch is in flight until the leader has acknowledged one, because a leader accepts
/// any first sequence from a producer it does not know.
/// </para>
/// <para>
/// Failure: when an attempt fails, the partition stops sending, waits until every in-flight batch has
/// answered, waits the retry backoff, and then sends the unfinished batches again in order. A batch that
/// overtook an earlier one is rejected by the leader with OutOfOrderSequenceNumber and simply retried
/// behind it. When a sequence gap can no longer be closed (a batch with a sequence failed for good, or the
/// leader lost our producer state), the partition takes a fresh producer id and renumbers its unfinished
/// batches from zero (Kafka KIP-360); batches whose earlier attempt might have been stored are failed
/// rather than renumbered, since renumbering them could store them twice.
/// </para>
/// <para>
/// Thread-safety: every method takes the queue's lock; producers append from any thread while the sender
/// loop drains. Methods collect finished batches into a list so their records are told outside the lock.
/// </para>
/// </remarks>
internal sealed class PartitionQueue
{
    private readonly Lock _gate = new();
    private readonly List<ProducerBatch> _unfinished = [];
    private readonly ProducerOptions _options;
    private readonly RecordBatchBuilderPool _builders;
    private readonly long _lingerMs;
    private readonly long _deliveryTimeoutMs;
    private ProducerBatch? _open;
    private int _inFlight;
    private bool _recovering;
    private long _resumeAtMs;
    private bool _needsNewProducerId;
    private bool _producerIdRequested;
    private ProducerIdAndEpoch _producerId;
    private int _nextSequence;
    private bool _producerIdConfirmed;

    public PartitionQueue(
        TopicPartition topicPartition,
        IPartitionGrain grain,
        ProducerOptions options,
        RecordBatchBuilderPool builders,
        ProducerIdAndEpoch producerId)
    {
        TopicPartition = topicPartition;
        Grain = grain;
        _options = options;
        _builders = builders;
        _lingerMs = (long)options.Linger.TotalMilliseconds;
        _deliveryTimeoutMs = (long)options.DeliveryTimeout.TotalMilliseconds;
        _producerId = producerId;
    }

    public TopicPartition TopicPartition { get; }

    public IPartitionGrain Grain { get; }

    /// <summary>The producer id and epoch the next first-sent batch will carry.</summary>
    public ProducerIdAndEpoch ProducerId
    {
        get
        {
            lock (_gate)
            {
                return _producerId;
            }
        }
    }

    /// <summary>Batches closed and not yet finished (waiting, in flight or awaiting retry).</summary>
    public int UnfinishedBatchCount
    {
        get
        {
            lock (_gate)
            {
                return _unfinished.Count;
            }
        }
    }

    /// <summary>True when the open batch exists; for tests.</summary>
    public bool HasOpenBatch
    {
        get
        {
            lock (_gate)
            {
                return _open is not null;
            }
        }
    }

    /// <summary>
    /// Appends a record to the open batch, closing it and opening a new one when it is full. With
    /// <paramref name="abortOnNewBatch"/> (a keyless record placed by the sticky partitioner) it returns
    /// <see cref="AppendStatus.NewBatchRequired"/> instead of opening a batch, so the partitioner can move
    /// on to another partition first (Kafka KIP-480).
    /// </summary>
    /// <param name="closedBatch">Set when this append closed a full batch: the sender has work.</param>
    public AppendStatus TryAppend(
        long timestampMs,
        byte[]? key,
        byte[]? value,
        ReadOnlySpan<RecordHeader> headers,
        int reservedBytes,
        object completion,
        bool abortOnNewBatch,
        long nowMs,
        out bool closedBatch)
    {
        closedBatch = false;
        lock (_gate)
        {
            if (_open is not null)
            {
                if (_open.TryAppend(timestampMs, key, value, headers, reservedBytes, completion))
                {
                    return AppendStatus.Appended;
                }

                CloseOpenLocked();
                closedBatch = true;
            }

            if (abortOnNewBatch)
            {
                return AppendStatus.NewBatchRequired;
            }

            var batch = new ProducerBatch(TopicPartition, _builders.Rent(), nowMs, _deliveryTimeoutMs);
            if (!batch.TryAppend(timestampMs, key, value, headers, reservedBytes, completion))
            {
                throw new InvalidOperationException($"An empty batch for {TopicPartition} refused its first record; the builder must always accept one.");
            }

            _open = batch;
            return AppendStatus.AppendedToNewBatch;
        }
    }

    /// <summary>
    /// The sender loop's turn: closes the open batch once it has lingered long enough, fails batches past
    /// their delivery timeout, and moves the batches that may be sent now (in order, within the in-flight
    /// bound) to <paramref name="toSend"/> marked in flight. Batches sent for the first time get their
    /// producer id and sequence here and are left unsealed for the caller to seal outside the lock.
    /// </summary>
    /// <param name="nextWakeMs">Lowered to the earliest time this queue needs another turn.</param>
    /// <returns>True when the partition needs a new producer id before it can continue.</returns>
    public bool Drain(long nowMs, List<ProducerBatch> toSend, List<ProducerBatch> finished, ref long nextWakeMs)
    {
        lock (_gate)
        {
            if (_open is not null)
            {
                long lingerEndMs = _open.CreatedMs + _lingerMs;
                if (nowMs >= lingerEndMs)
                {
                    CloseOpenLocked();
                }
                else
                {
                    nextWakeMs = Math.Min(nextWakeMs, lingerEndMs);
                }
            }

            ExpireLocked(nowMs, finished, ref nextWakeMs);

            if (_recovering)
            {
                if (_inFlight > 0)
                {
                    // Each completion signals the sender; nothing to do until the last one answers.
                    return false;
                }

                if (nowMs < _resumeAtMs)
                {
                    nextWakeMs = Math.Min(nextWakeMs, _resumeAtMs);
                    return false;
                }

                if (_needsNewProducerId)
                {
                    if (_producerIdRequested)
                    {
                        return false;
                    }

                    _producerIdRequested = true;
                    return true;
                }

                _recovering = false;
            }

            // A leader accepts any first sequence from a producer id it has no state for (as Kafka does), so
            // until one batch under this id is acknowledged a later batch overtaking the first would be
            // stored out of order. One batch at a time until then; it costs one round trip per producer id.
            // Without sequence numbers nothing can restore the order of concurrent calls, which Orleans does
            // not promise, so a non-idempotent producer keeps one batch in flight (acks=none promises nothing).
            bool ordered = _options.EnableIdempotence ? _producerIdConfirmed : _options.Acks == Acks.None;
            int maxInFlight = ordered && !_unfinished.Exists(b => b.IsSplitPart) ? _options.MaxInFlightPerPartition : 1;
            foreach (ProducerBatch batch in _unfinished)
            {
                if (batch.State == ProducerBatchState.InFlight)
                {
                    continue;
                }

                if (_inFlight >= maxInFlight)
                {
                    break;
                }

                if (batch.State == ProducerBatchState.Closed && _options.EnableIdempotence)
                {
                    batch.SetProducerState(_producerId.ProducerId, _producerId.Epoch, _nextSequence);
                    _nextSequence = NextSequence(_nextSequence, batch.RecordCount);
                }

                batch.State = ProducerBatchState.InFlight;
                batch.SentBehindUnfinished = _unfinished[0] != batch;
                _inFlight++;
                toSend.Add(batch);
            }

            return false;
        }
    }

    /// <summary>
    /// Records the answer to one attempt and decides: done, retry (after the in-flight batches answer and
    /// the backoff passes), or failed.
    /// </summary>
    /// <param name="transportError">The exception the grain call threw, if it threw.</param>
    /// <returns>True when the topic's metadata should be re-read (the partition seems unknown).</returns>
    public bool OnSendCompleted(ProducerBatch batch, AppendResult result, Exception? transportError, long nowMs, List<ProducerBatch> finished)
    {
        lock (_gate)
        {
            _inFlight--;
            if (_options.Acks == Acks.None)
            {
                // Kafka does not retry acks=0 batches: their records were reported delivered when sent.
                FinishLocked(batch, finished);
                if (transportError is not null)
                {
                    batch.SetFailed(transportError);
                }
                else if (!result.IsSuccess)
                {
                    batch.SetFailed(new OrleansLogException(result.Error, result.Message));
                }
                else
                {
                    batch.SetSucceeded(result.BaseOffset, result.LogAppendTimeMs);
                }

                return false;
            }

            if (transportError is not null)
            {
                // The call may have reached the leader and stored the batch; only the leader's
                // deduplication (same producer id and sequence) makes resending it safe.
                batch.OutcomeUnknown = true;
                if (TransientFailure.IsTransient(transportError))
                {
                    RetryLocked(batch, transportError, nowMs, finished);
                }
                else
                {
                    FailLocked(batch, transportError as OrleansLogException ?? new OrleansLogException(ErrorCode.UnknownServerError, $"Producing to {TopicPartition} failed: {transportError.Message}", transportError), finished);
                }

                return false;
            }

            switch (result.Error)
            {
                case ErrorCode.None:
                    batch.SetSucceeded(result.BaseOffset, result.LogAppendTimeMs);
                    ConfirmLocked(batch);
                    FinishLocked(batch, finished);
                    return false;

                case ErrorCode.DuplicateSequenceNumber:
                    // The leader already has this batch but no longer remembers its offsets: delivered.
                    batch.SetSucceeded(-1, -1);
                    ConfirmLocked(batch);
                    FinishLocked(batch, finished);
                    return false;

                case ErrorCode.OutOfOrderSequenceNumber
                    when _options.EnableIdempotence && (batch.SentBehindUnfinished || _unfinished.IndexOf(batch) > 0):
                    // An earlier batch was unanswered when this one was sent: this one overtook it. Resend it
                    // behind that one (which may have been acknowledged meanwhile).
                    RetryLocked(batch, Error(result), nowMs, finished);
                    return false;

                case ErrorCode.OutOfOrderSequenceNumber or ErrorCode.UnknownProducerId or ErrorCode.InvalidProducerEpoch
                    when _options.EnableIdempotence:
                    // The oldest unfinished batch does not continue the leader's sequence: the leader lost or
                    // fenced our producer state. Continue under a fresh producer id (KIP-360).
                    _needsNewProducerId = true;
                    RetryLocked(batch, Error(result), nowMs, finished);
                    return false;

                case ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge when batch.RecordCount > 1 && !batch.OutcomeUnknown:
                    // Refused for its size before any write: split it (again while needed), so that only a
                    // record too large on its own fails and its neighbours are delivered.
                    SplitLocked(batch, Error(result));
                    return false;

                case ErrorCode error when error.IsRetriable():
                    // Some answers mean the leader may have stored the batch before it failed (it timed out
                    // waiting for replicas, resigned, or its disk failed after the write): like a lost answer,
                    // only deduplication makes a resend safe, never a renumbering under a new producer id.
                    batch.OutcomeUnknown |= MayHaveBeenStored(error);
                    RetryLocked(batch, Error(result), nowMs, finished);
                    return error is ErrorCode.UnknownTopicOrPartition or ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable;

                default:
                    FailLocked(batch, Error(result), finished);
                    return false;
            }
        }
    }

    /// <summary>Errors a leader may return after it stored the batch (the rest are decided before any write).</summary>
    private static bool MayHaveBeenStored(ErrorCode error) =>
        error is ErrorCode.RequestTimedOut or ErrorCode.NotEnoughReplicasAfterAppend or ErrorCode.NotLeaderOrFollower
            or ErrorCode.KafkaStorageError or ErrorCode.UnknownServerError;

    /// <summary>
    /// Continues under a fresh producer id: batches that were never stored for certain are renumbered from
    /// sequence 0 in their order; batches whose earlier attempt might have been stored are failed.
    /// </summary>
    public void ApplyNewProducerId(ProducerIdAndEpoch producerId, List<ProducerBatch> finished)
    {
        lock (_gate)
        {
            _producerIdRequested = false;
            _needsNewProducerId = false;
            _producerId = producerId;
            _producerIdConfirmed = false;
            _nextSequence = 0;
            for (int i = 0; i < _unfinished.Count; i++)
            {
                ProducerBatch batch = _unfinished[i];
                if (!batch.HasSequence)
                {
                    // Never sent: gets its sequence when it is.
                    continue;
                }

                if (batch.OutcomeUnknown)
                {
                    batch.SetFailed(new OrleansLogException(
                        ErrorCode.OutOfOrderSequenceNumber,
                        $"Producing {batch.RecordCount} record(s) to {TopicPartition} failed: the producer id had to be reset after a sequence gap, and an earlier attempt of this batch (producer id {batch.ProducerId}, base sequence {batch.BaseSequence}) may or may not have been stored; last error: {batch.LastError?.Message}",
                        batch.LastError));
                    _unfinished.RemoveAt(i--);
                    finished.Add(batch);
                    continue;
                }

                batch.Resequence(producerId.ProducerId, producerId.Epoch, _nextSequence);
                _nextSequence = NextSequence(_nextSequence, batch.RecordCount);
            }
        }
    }

    /// <summary>Getting a new producer id failed; try again after the backoff.</summary>
    public void OnProducerIdRequestFailed(long nowMs)
    {
        lock (_gate)
        {
            _producerIdRequested = false;
            _resumeAtMs = nowMs + (long)_options.RetryBackoff.TotalMilliseconds;
        }
    }

    /// <summary>
    /// Closes the open batch so it is sent without waiting for linger, and returns tasks that complete when
    /// every batch present now is finished.
    /// </summary>
    public void CloseForFlush(List<Task> pending)
    {
        lock (_gate)
        {
            if (_open is not null)
            {
                CloseOpenLocked();
            }

            foreach (ProducerBatch batch in _unfinished)
            {
                pending.Add(batch.WhenDone());
            }
        }
    }

    /// <summary>Fails every unfinished batch, for a producer that gives up (disposed with pending records).</summary>
    public void Abort(Exception error, List<ProducerBatch> finished)
    {
        lock (_gate)
        {
            if (_open is not null)
            {
                CloseOpenLocked();
            }

            for (int i = _unfinished.Count - 1; i >= 0; i--)
            {
                ProducerBatch batch = _unfinished[i];
                if (batch.State != ProducerBatchState.InFlight)
                {
                    batch.SetFailed(error);
                    _unfinished.RemoveAt(i);
                    finished.Add(batch);
                }
            }
        }
    }

    /// <summary>The leader now holds state for our producer id: batches may be pipelined.</summary>
    private void ConfirmLocked(ProducerBatch batch)
    {
        if (batch.ProducerId == _producerId.ProducerId)
        {
            _producerIdConfirmed = true;
        }
    }

    private void CloseOpenLocked()
    {
        ProducerBatch batch = _open!;
        _open = null;
        batch.State = ProducerBatchState.Closed;
        _unfinished.Add(batch);
    }

    private void RetryLocked(ProducerBatch batch, Exception error, long nowMs, List<ProducerBatch> finished)
    {
        batch.LastError = error;
        if (nowMs >= batch.DeadlineMs)
        {
            FailLocked(batch, Expired(batch, nowMs), finished);
            return;
        }

        batch.State = ProducerBatchState.Ready;
        _recovering = true;
        _resumeAtMs = Math.Max(_resumeAtMs, nowMs + BackoffMs(batch.Attempts));
    }

    private void SplitLocked(ProducerBatch batch, Exception error)
    {
        batch.LastError = error;
        using var records = new RecordBatchReader();
        (ProducerBatch first, ProducerBatch second) = batch.SplitInHalves(records);
        int index = _unfinished.IndexOf(batch);
        _unfinished[index] = first;
        _unfinished.Insert(index + 1, second);
    }

    private void FailLocked(ProducerBatch batch, Exception error, List<ProducerBatch> finished)
    {
        batch.SetFailed(error);
        FinishLocked(batch, finished);
        if (_options.EnableIdempotence && batch.HasSequence)
        {
            // The leader will never see these sequence numbers: later batches could not follow them.
            _needsNewProducerId = true;
            _recovering = true;
        }
    }

    private void FinishLocked(ProducerBatch batch, List<ProducerBatch> finished)
    {
        _unfinished.Remove(batch);
        finished.Add(batch);
    }

    private void ExpireLocked(long nowMs, List<ProducerBatch> finished, ref long nextWakeMs)
    {
        for (int i = 0; i < _unfinished.Count; i++)
        {
            ProducerBatch batch = _unfinished[i];
            if (batch.State == ProducerBatchState.InFlight)
            {
                // Kafka never expires a batch with an attempt outstanding: its outcome is still coming.
                continue;
            }

            if (nowMs < batch.DeadlineMs)
            {
                nextWakeMs = Math.Min(nextWakeMs, batch.DeadlineMs);
                continue;
            }

            FailLocked(batch, Expired(batch, nowMs), finished);
            i--;
        }
    }

    private OrleansLogException Expired(ProducerBatch batch, long nowMs) =>
        new(
            ErrorCode.RequestTimedOut,
            $"Expiring {batch.RecordCount} record(s) for {TopicPartition}: {nowMs - batch.CreatedMs} ms passed since the batch was created, delivery timeout {_deliveryTimeoutMs} ms, {batch.Attempts} attempt(s); last error: {batch.LastError?.Message ?? "none"}",
            batch.LastError);

    private OrleansLogException Error(AppendResult result) =>
        new(result.Error, result.Message ?? $"Producing to {TopicPartition} failed with {result.Error}.");

    private long BackoffMs(int attempts)
    {
        double backoff = _options.RetryBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempts - 1));
        return (long)Math.Min(backoff, _options.RetryBackoffMax.TotalMilliseconds);
    }

    /// <summary>Kafka's sequence arithmetic: sequences wrap from int.MaxValue to 0.</summary>
    internal static int NextSequence(int sequence, int recordCount) =>
        (int)(((long)sequence + recordCount) % ((long)int.MaxValue + 1));
}
