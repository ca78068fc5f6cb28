using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLog.Grains;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// The producer. <c>ProduceAsync</c> picks the partition (explicit, murmur2 of the key, or sticky for keyless
/// records), reserves buffer memory, and appends the record to that partition's open batch; one background
/// sender loop closes batches when full or lingered, seals them into RecordBatch v2 bytes and sends each
/// with one <see cref="IPartitionGrain.AppendAsync"/> call, retrying as <see cref="PartitionQueue"/> decides.
/// </summary>
/// <remarks>
/// Works the same from an external Orleans client (<c>IClusterClient</c>) and inside a silo
/// (<see cref="IGrainFactory"/>). Never blocks a thread: producers wait asynchronously for metadata and
/// buffer space; the sender loop sleeps on a signal and a <see cref="TimeProvider"/> timer. Appending a
/// record allocates nothing on the handler overload once the topic is known (the task overload allocates
/// the task it returns).
/// </remarks>
public sealed partial class OrleansLogProducer : IProducer
{
    /// <summary>
    /// Upper bound of a record's framing around key, value and headers: length, attributes, timestamp delta,
    /// offset delta, key length, value length and header count varints (Kafka's size estimate, rounded up).
    /// </summary>
    internal const int RecordOverheadBytes = 36;

    /// <summary>Varint framing of one header around its key and value bytes, rounded up.</summary>
    internal const int HeaderOverheadBytes = 10;

    private readonly IGrainFactory _grainFactory;
    private readonly ProducerOptions _options;
    private readonly ILogger _logger;
    private readonly MonotonicClock _clock;
    private readonly TopicMetadataCache _metadata;
    private readonly BufferMemory _memory;
    private readonly RecordBatchBuilderPool _builders;
    private readonly Random _random;
    private readonly AsyncAutoResetSignal _signal = new();
    private readonly ITimer _wakeTimer;
    private readonly ConcurrentDictionary<string, ProducerTopic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Task _sender;
    private PartitionQueue[] _queues = [];
    private Task<ProducerIdAndEpoch>? _producerIdRead;
    private ProducerIdAndEpoch _producerId = new(RecordBatchLayout.NoProducerId, RecordBatchLayout.NoProducerEpoch);
    private volatile bool _hasProducerId;
    private volatile bool _stopping;
    private int _disposed;
    private readonly SemaphoreSlim _slowPath = new(1, 1);
    private int _slowEnqueues;
    private TaskCompletionSource? _slowEnqueuesDrained;

    /// <summary>Creates a producer; <paramref name="options"/> are copied and validated.</summary>
    /// <param name="grainFactory">An <c>IClusterClient</c> outside a silo, or the silo's <see cref="IGrainFactory"/>.</param>
    /// <param name="options">Producer settings; validated by <see cref="ProducerOptionsValidator"/>.</param>
    /// <param name="logger">Where retries, producer id resets and failures are logged.</param>
    /// <param name="timeProvider">Clock for linger, backoff and timeouts; <see cref="TimeProvider.System"/> by default.</param>
    public OrleansLogProducer(IGrainFactory grainFactory, ProducerOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(grainFactory, options, logger, timeProvider, Random.Shared)
    {
    }

    internal OrleansLogProducer(IGrainFactory grainFactory, ProducerOptions options, ILogger? logger, TimeProvider? timeProvider, Random random)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        ProducerOptionsValidator.Validate(options);
        _grainFactory = grainFactory;
        _options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _clock = new MonotonicClock(timeProvider ?? TimeProvider.System);
        _random = random;
        _metadata = new TopicMetadataCache(grainFactory, _clock, _options.MetadataMaxAge, _logger);
        _memory = new BufferMemory(_options.BufferMemoryBytes);
        _builders = new RecordBatchBuilderPool(_options.Compression, _options.BatchBytes);
        _wakeTimer = _clock.TimeProvider.CreateTimer(static state => ((AsyncAutoResetSignal)state!).Set(), _signal, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _sender = Task.Run(RunSenderAsync);
    }

    /// <summary>Record bytes buffered now (waiting, in flight or awaiting retry).</summary>
    public long BufferedBytes => _memory.Used;

    /// <inheritdoc />
    public Task<RecordMetadata> ProduceAsync(string topic, Message message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var completion = new TaskCompletionSource<RecordMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        ValueTask enqueued = EnqueueAsync(topic, message, completion, cancellationToken);
        if (enqueued.IsCompletedSuccessfully)
        {
            return completion.Task;
        }

        return AwaitEnqueuedAsync(enqueued, completion);

        static async Task<RecordMetadata> AwaitEnqueuedAsync(ValueTask enqueued, TaskCompletionSource<RecordMetadata> completion)
        {
            await enqueued;
            return await completion.Task;
        }
    }

    /// <inheritdoc />
    public ValueTask ProduceAsync(string topic, Message message, DeliveryHandler deliveryHandler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(deliveryHandler);
        return EnqueueAsync(topic, message, deliveryHandler, cancellationToken);
    }

    /// <inheritdoc />
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var pending = new List<Task>();
        if (Volatile.Read(ref _slowEnqueues) > 0)
        {
            // Records whose ProduceAsync was called before this flush may still be waiting to be appended.
            // Send what is buffered (freeing memory they may wait for), then queue behind them: the slow path
            // is first in, first out, so once we hold it they are all appended.
            CloseAll(pending);
            pending.Clear();
            await _slowPath.WaitAsync(cancellationToken);
            _slowPath.Release();
        }

        CloseAll(pending);
        await Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Flushes, then stops the sender. Records whose <c>ProduceAsync</c> started before disposal are delivered
    /// (or fail) first, including ones still waiting for metadata or buffer space; calls that start afterwards
    /// throw <see cref="ObjectDisposedException"/>. Waits at most about the delivery timeout.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _slowEnqueuesDrained, drained);
        if (Volatile.Read(ref _slowEnqueues) == 0)
        {
            drained.TrySetResult();
        }

        try
        {
            // The first flush frees buffer memory that records still being enqueued may be waiting for; the
            // second sends what they appended.
            await FlushAsync(CancellationToken.None);
            await drained.Task;
            await FlushAsync(CancellationToken.None);
        }
        finally
        {
            _stopping = true;
            _signal.Set();
            await _sender;
            await _wakeTimer.DisposeAsync();
            _memory.Close();

            // Only a record racing with disposal on the synchronous fast path can still be here.
            var finished = new List<ProducerBatch>();
            var disposed = new ObjectDisposedException(nameof(OrleansLogProducer), "The producer was disposed before the record was sent.");
            foreach (PartitionQueue queue in Volatile.Read(ref _queues))
            {
                queue.Abort(disposed, finished);
            }

            Finish(finished);
            _builders.Clear();
            _slowPath.Dispose();
        }
    }

    private void CloseAll(List<Task> pending)
    {
        foreach (PartitionQueue queue in Volatile.Read(ref _queues))
        {
            queue.CloseForFlush(pending);
        }

        _signal.Set();
    }

    internal PartitionQueue CreateQueue(TopicPartition topicPartition)
    {
        var queue = new PartitionQueue(
            topicPartition,
            _grainFactory.GetGrain<IPartitionGrain>(topicPartition.ToGrainKey()),
            _options,
            _builders,
            _producerId);
        lock (_gate)
        {
            _queues = [.. _queues, queue];
        }

        return queue;
    }

    /// <summary>The queue of a partition, if any record was produced to it; for tests.</summary>
    internal PartitionQueue? FindQueue(TopicPartition topicPartition)
    {
        foreach (PartitionQueue queue in Volatile.Read(ref _queues))
        {
            if (queue.TopicPartition == topicPartition)
            {
                return queue;
            }
        }

        return null;
    }

    /// <summary>The encoded size a record may take at most; what it reserves of the buffer memory.</summary>
    internal static long EstimateRecordSize(in Message message)
    {
        long size = RecordOverheadBytes + (message.Key?.Length ?? 0) + (message.Value?.Length ?? 0);
        if (message.Headers is { } headers)
        {
            for (int i = 0; i < headers.Count; i++)
            {
                RecordHeader header = headers[i];
                size += HeaderOverheadBytes + header.Key.Length + header.Value.Length;
            }
        }

        return size;
    }

    private ValueTask EnqueueAsync(string topic, in Message message, object completion, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long estimated = EstimateRecordSize(message);
        if (estimated + RecordBatchLayout.HeaderSize > _options.MaxRequestBytes)
        {
            return ValueTask.FromException(new OrleansLogException(
                ErrorCode.MessageTooLarge,
                $"The record for topic '{topic}' is {estimated} bytes when encoded, larger than {nameof(ProducerOptions.MaxRequestBytes)} ({_options.MaxRequestBytes}) allows."));
        }

        int size = (int)estimated;
        if (Volatile.Read(ref _slowEnqueues) == 0
            && (_hasProducerId || !_options.EnableIdempotence)
            && _metadata.TryGetPartitionCount(topic, out int partitionCount)
            && (message.Partition is not { } explicitPartition || (uint)explicitPartition < (uint)partitionCount)
            && _memory.TryReserve(size))
        {
            try
            {
                Append(topic, partitionCount, message, size, completion);
            }
            catch (Exception ex)
            {
                _memory.Release(size);
                return ValueTask.FromException(ex);
            }

            return ValueTask.CompletedTask;
        }

        return EnqueueSlowAsync(topic, message, size, completion, cancellationToken);
    }

    /// <summary>
    /// The path of a record that has to wait (for the producer id, topic metadata or buffer memory). Such
    /// records go through one at a time in call order, and while any is waiting later records queue behind
    /// it instead of taking the fast path, so records produced one after another are appended in that order
    /// (Kafka's send() keeps order by blocking the calling thread; this keeps it without blocking).
    /// </summary>
    private async ValueTask EnqueueSlowAsync(string topic, Message message, int size, object completion, CancellationToken cancellationToken)
    {
        // Counted synchronously, in call order, before this check: disposal either rejects the record here
        // or waits for it, and the fast path sees it and queues behind it.
        Interlocked.Increment(ref _slowEnqueues);
        bool entered = false;
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

            // SemaphoreSlim serves asynchronous waiters first in, first out.
            await _slowPath.WaitAsync(cancellationToken);
            entered = true;
            await EnqueueWaitingAsync(topic, message, size, completion, cancellationToken);
        }
        finally
        {
            if (entered)
            {
                _slowPath.Release();
            }

            if (Interlocked.Decrement(ref _slowEnqueues) == 0)
            {
                Volatile.Read(ref _slowEnqueuesDrained)?.TrySetResult();
            }
        }
    }

    private async Task EnqueueWaitingAsync(string topic, Message message, int size, object completion, CancellationToken cancellationToken)
    {
        long deadlineMs = _clock.NowMs + (long)_options.DeliveryTimeout.TotalMilliseconds;
        if (_options.EnableIdempotence && !_hasProducerId)
        {
            await RetryTransientAsync(static (producer, _) => producer.EnsureProducerIdAsync(), this, deadlineMs, "getting a producer id", cancellationToken);
        }

        if (!_metadata.TryGetPartitionCount(topic, out int partitionCount)
            || (message.Partition is { } stalePartition && stalePartition >= partitionCount))
        {
            partitionCount = await RetryTransientAsync(
                static (producer, state) => producer._metadata.RefreshAsync(state.topic, state.cancellationToken),
                (topic, cancellationToken),
                deadlineMs,
                $"reading the metadata of topic '{topic}'",
                cancellationToken);
        }

        if (message.Partition is { } explicitPartition && (uint)explicitPartition >= (uint)partitionCount)
        {
            throw new OrleansLogException(
                ErrorCode.UnknownTopicOrPartition,
                $"Partition {explicitPartition} of topic '{topic}' does not exist: the topic has partitions 0..{partitionCount - 1}.");
        }

        await _memory.ReserveAsync(size, cancellationToken);
        try
        {
            Append(topic, partitionCount, message, size, completion);
        }
        catch
        {
            _memory.Release(size);
            throw;
        }
    }

    private void Append(string topic, int partitionCount, in Message message, int size, object completion)
    {
        if (!_topics.TryGetValue(topic, out ProducerTopic? state))
        {
            state = _topics.GetOrAdd(topic, static (name, random) => new ProducerTopic(name, new StickyPartitioner(random)), _random);
        }

        long timestampMs = message.Timestamp?.ToUnixTimeMilliseconds() ?? _clock.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        RecordHeader[]? rented = null;
        ReadOnlySpan<RecordHeader> headers = HeadersAsSpan(message.Headers, ref rented);
        try
        {
            bool sticky = false;
            int partition;
            if (message.Partition is { } explicitPartition)
            {
                partition = explicitPartition;
            }
            else if (message.Key is { } key)
            {
                partition = Murmur2Partitioner.PartitionForKey(key, partitionCount);
            }
            else
            {
                partition = state.Sticky.Partition(partitionCount);
                sticky = true;
            }

            long nowMs = _clock.NowMs;
            PartitionQueue queue = state.GetQueue(partition, this);
            AppendStatus status = queue.TryAppend(timestampMs, message.Key, message.Value, headers, size, completion, sticky, nowMs, out bool closed);
            if (status == AppendStatus.NewBatchRequired)
            {
                partition = state.Sticky.OnNewBatch(partition, partitionCount);
                queue = state.GetQueue(partition, this);
                status = queue.TryAppend(timestampMs, message.Key, message.Value, headers, size, completion, abortOnNewBatch: false, nowMs, out bool closedToo);
                closed |= closedToo;
            }

            if (closed || status == AppendStatus.AppendedToNewBatch)
            {
                _signal.Set();
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<RecordHeader>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    private static ReadOnlySpan<RecordHeader> HeadersAsSpan(IReadOnlyList<RecordHeader>? headers, ref RecordHeader[]? rented)
    {
        switch (headers)
        {
            case null:
                return default;
            case RecordHeader[] array:
                return array;
            case List<RecordHeader> list:
                return CollectionsMarshal.AsSpan(list);
            default:
                rented = ArrayPool<RecordHeader>.Shared.Rent(headers.Count);
                for (int i = 0; i < headers.Count; i++)
                {
                    rented[i] = headers[i];
                }

                return rented.AsSpan(0, headers.Count);
        }
    }

    private async Task RunSenderAsync()
    {
        var toSend = new List<ProducerBatch>();
        var finished = new List<ProducerBatch>();
        while (true)
        {
            await _signal.WaitAsync();
            if (_stopping)
            {
                return;
            }

            try
            {
                long nowMs = _clock.NowMs;
                long nextWakeMs = long.MaxValue;
                foreach (PartitionQueue queue in Volatile.Read(ref _queues))
                {
                    if (queue.Drain(nowMs, toSend, finished, ref nextWakeMs))
                    {
                        _ = RenewProducerIdAsync(queue);
                    }

                    foreach (ProducerBatch batch in toSend)
                    {
                        Send(queue, batch);
                    }

                    toSend.Clear();
                }

                Finish(finished);
                finished.Clear();
                ScheduleWake(nowMs, nextWakeMs);
            }
            catch (Exception ex)
            {
                // A bug here must not silently stop all sending: log it and carry on with the next wake-up.
                LogSenderLoopFailed(_logger, ex);
                toSend.Clear();
                finished.Clear();
                _wakeTimer.Change(_options.RetryBackoff, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void ScheduleWake(long nowMs, long nextWakeMs)
    {
        if (nextWakeMs == long.MaxValue)
        {
            _wakeTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        else if (nextWakeMs <= nowMs)
        {
            _signal.Set();
        }
        else
        {
            _wakeTimer.Change(TimeSpan.FromMilliseconds(nextWakeMs - nowMs), Timeout.InfiniteTimeSpan);
        }
    }

    private void Send(PartitionQueue queue, ProducerBatch batch)
    {
        if (batch.Builder is not null)
        {
            RecordBatchBuilder builder;
            try
            {
                builder = batch.Seal();
            }
            catch (Exception ex)
            {
                LogSealFailed(_logger, ex, queue.TopicPartition.Topic, queue.TopicPartition.Partition, batch.RecordCount);
                var finished = new List<ProducerBatch>();
                queue.OnSendCompleted(batch, default, new OrleansLogException(ErrorCode.InvalidRecord, $"Sealing a batch of {batch.RecordCount} record(s) for {queue.TopicPartition} failed: {ex.Message}", ex), _clock.NowMs, finished);
                Finish(finished);
                return;
            }

            _builders.Return(builder);
        }

        _ = SendAsync(queue, batch);
    }

    private async Task SendAsync(PartitionQueue queue, ProducerBatch batch)
    {
        AppendResult result = default;
        Exception? error = null;
        int attempt = batch.Attempts + 1;
        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            Task<AppendResult> call = queue.Grain.AppendAsync(new RecordBatchPayload(batch.TakePayloadForSend()), _options.Acks, timeout.Token);
            if (_options.Acks == Acks.None)
            {
                // acks=0: delivered as far as the producer will ever know.
                batch.Report(_logger);
            }

            result = await call;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            error = new TimeoutException(
                $"Producing {batch.RecordCount} record(s) to {queue.TopicPartition}: no answer within the request timeout of {_options.RequestTimeout.TotalMilliseconds:0} ms (attempt {attempt})");
        }
        catch (OperationCanceledException ex)
        {
            // Not this producer's timeout: a call inside the cluster on the way (placing the partition while
            // many activate at once) gave up. As retriable as any request timeout.
            error = new TimeoutException(
                $"Producing {batch.RecordCount} record(s) to {queue.TopicPartition}: a call inside the cluster timed out before the leader answered (attempt {attempt})", ex);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        if (error is not null)
        {
            LogSendFailed(_logger, error, queue.TopicPartition.Topic, queue.TopicPartition.Partition, batch.RecordCount, attempt);
        }
        else if (!result.IsSuccess)
        {
            LogSendRejected(_logger, queue.TopicPartition.Topic, queue.TopicPartition.Partition, batch.RecordCount, attempt, result.Error, result.Message);
        }

        var finished = new List<ProducerBatch>(1);
        if (queue.OnSendCompleted(batch, result, error, _clock.NowMs, finished))
        {
            _metadata.Invalidate(queue.TopicPartition.Topic);
        }

        Finish(finished);
        _signal.Set();
    }

    private async Task RenewProducerIdAsync(PartitionQueue queue)
    {
        ProducerIdAndEpoch previous = queue.ProducerId;
        try
        {
            ProducerIdAndEpoch renewed = await _grainFactory.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync(CancellationToken.None);
            var finished = new List<ProducerBatch>();
            queue.ApplyNewProducerId(renewed, finished);
            LogProducerIdRenewed(_logger, queue.TopicPartition.Topic, queue.TopicPartition.Partition, previous.ProducerId, renewed.ProducerId, finished.Count);
            Finish(finished);
        }
        catch (Exception ex)
        {
            LogProducerIdRenewalFailed(_logger, ex, queue.TopicPartition.Topic, queue.TopicPartition.Partition);
            queue.OnProducerIdRequestFailed(_clock.NowMs);
        }

        _signal.Set();
    }

    private Task<ProducerIdAndEpoch> EnsureProducerIdAsync()
    {
        lock (_gate)
        {
            if (_producerIdRead is null || _producerIdRead.IsFaulted || _producerIdRead.IsCanceled)
            {
                _producerIdRead = ReadProducerIdAsync();
            }

            return _producerIdRead;
        }
    }

    private async Task<ProducerIdAndEpoch> ReadProducerIdAsync()
    {
        await Task.Yield();
        ProducerIdAndEpoch producerId = await _grainFactory.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync(CancellationToken.None);
        _producerId = producerId;
        _hasProducerId = true;
        LogProducerIdAssigned(_logger, producerId.ProducerId, producerId.Epoch);
        return producerId;
    }

    /// <summary>
    /// Runs <paramref name="operation"/>, retrying transient failures (Orleans transport errors, retriable
    /// codes other than a missing topic) with the retry backoff until <paramref name="deadlineMs"/>.
    /// </summary>
    private async Task<T> RetryTransientAsync<T, TState>(
        Func<OrleansLogProducer, TState, Task<T>> operation,
        TState state,
        long deadlineMs,
        string what,
        CancellationToken cancellationToken)
    {
        int attempt = 0;
        while (true)
        {
            attempt++;
            try
            {
                return await operation(this, state);
            }
            catch (Exception ex) when (TransientFailure.IsTransient(ex)
                && ex is not OrleansLogException { Error: ErrorCode.UnknownTopicOrPartition })
            {
                long nowMs = _clock.NowMs;
                if (nowMs >= deadlineMs)
                {
                    throw new OrleansLogException(ErrorCode.RequestTimedOut, $"Gave up {what} after {attempt} attempt(s) and {nameof(ProducerOptions.DeliveryTimeout)} {_options.DeliveryTimeout}: {ex.Message}", ex);
                }

                LogTransientRetry(_logger, ex, what, attempt);
                double backoffMs = Math.Min(
                    _options.RetryBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1),
                    _options.RetryBackoffMax.TotalMilliseconds);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(backoffMs, deadlineMs - nowMs)), _clock.TimeProvider, cancellationToken);
            }
        }
    }

    private void Finish(List<ProducerBatch> finished)
    {
        foreach (ProducerBatch batch in finished)
        {
            batch.Report(_logger);
            if (batch.TakeBuilder() is { } builder)
            {
                _builders.Return(builder);
            }

            _memory.Release(batch.ReservedBytes);
            batch.Finish();
        }
    }
}
