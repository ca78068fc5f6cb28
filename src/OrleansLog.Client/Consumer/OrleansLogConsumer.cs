using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLog.Grains;
using OrleansLog.Groups;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// The consumer, with manual assignment or as a member of a consumer group (membership in
/// <c>OrleansLogConsumer.Group.cs</c>, rebalances in <c>.Rebalance.cs</c>, offsets in <c>.Commit.cs</c>, the fetch pipeline in <c>.Fetching.cs</c>).
/// Each assigned partition keeps one long-poll
/// <see cref="IPartitionGrain.FetchAsync"/> in flight while up to
/// <see cref="ConsumerOptions.BufferedFetchesPerPartition"/> earlier results wait to be handed out. A
/// completed fetch is copied into one contiguous pooled array, its <see cref="PooledBuffer"/> disposed, and
/// every batch checked (<see cref="FetchParser.Scan"/>) before anything else happens. The records stay in
/// that array (<see cref="FetchedRecords"/>) until they are handed out: <see cref="ConsumeBatchAsync"/>
/// leases the array itself, <see cref="ConsumeAsync"/> copies key, value and headers into
/// <see cref="ConsumeResult"/>s the first time it reaches the fetch.
/// </summary>
/// <remarks>
/// OffsetOutOfRange and a missing position are resolved with <see cref="ConsumerOptions.AutoOffsetReset"/>
/// (a ListOffsets call for earliest or latest) or surfaced as an exception for
/// <see cref="AutoOffsetReset.Error"/>. Retriable errors and Orleans transport failures are retried after
/// <see cref="ConsumerOptions.RetryBackoff"/>. All state is guarded by one lock; grain calls and the
/// checking of fetched batches happen outside it. Copying a fetch into <see cref="ConsumeResult"/>s happens
/// inside it, on the application's consume call, because the bytes it reads are discarded under the lock.
/// </remarks>
public sealed partial class OrleansLogConsumer : IConsumer, IMembershipHost
{
    private readonly IGrainFactory _grainFactory;
    private readonly ConsumerOptions _options;
    private readonly ILogger _logger;
    private readonly MonotonicClock _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, AssignedPartition> _assigned = [];
    private readonly List<AssignedPartition> _order = [];
    private readonly ITimer _retryTimer;
    private readonly RecordBatchReader _takeReader = new();
    private readonly int _fetchMaxWaitMs;
    private TaskCompletionSource? _waiter;
    private bool _mayHaveErrors;
    private int _next;
    private bool _disposed;
    private bool _closing;

    /// <summary>Creates a consumer; <paramref name="options"/> are copied and validated.</summary>
    /// <param name="grainFactory">An <c>IClusterClient</c> outside a silo, or the silo's <see cref="IGrainFactory"/>.</param>
    /// <param name="options">Consumer settings; validated by <see cref="ConsumerOptionsValidator"/>.</param>
    /// <param name="logger">Where fetch retries and resets are logged.</param>
    /// <param name="timeProvider">Clock for timeouts and backoff; <see cref="TimeProvider.System"/> by default.</param>
    public OrleansLogConsumer(IGrainFactory grainFactory, ConsumerOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        ConsumerOptionsValidator.Validate(options);
        _grainFactory = grainFactory;
        _options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _clock = new MonotonicClock(timeProvider ?? TimeProvider.System);
        _fetchMaxWaitMs = (int)_options.FetchMaxWait.TotalMilliseconds;
        _retryTimer = _clock.TimeProvider.CreateTimer(static state => ((OrleansLogConsumer)state!).Pump(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_options.GroupId is { } groupId)
        {
            _coordinator = grainFactory.GetGrain<IGroupCoordinatorGrain>(groupId);
            _clientId = _options.ClientId ?? $"consumer-{groupId}-{Interlocked.Increment(ref s_clientSequence)}";
            if (_options.EnableAutoCommit)
            {
                _autoCommitTimer = _clock.TimeProvider.CreateTimer(
                    static state => ((OrleansLogConsumer)state!).OnAutoCommitTimer(),
                    this,
                    _options.AutoCommitInterval,
                    _options.AutoCommitInterval);
            }
        }
    }

    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                return [.. _assigned.Keys];
            }
        }
    }

    public void Assign(IEnumerable<TopicPartition> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        Assign(partitions.Select(static tp => (tp, (long?)null)));
    }

    public void Assign(IEnumerable<TopicPartitionOffset> partitions)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        Assign(partitions.Select(static tpo => (tpo.TopicPartition, (long?)tpo.Offset)));
    }

    public void Unassign() => Assign(Array.Empty<TopicPartition>());

    public void Seek(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            SeekLocked(Get(partition), offset);
        }

        Pump();
    }

    public void SeekToBeginning(IEnumerable<TopicPartition> partitions) => SeekAll(partitions, OffsetSpec.Earliest);

    public void SeekToEnd(IEnumerable<TopicPartition> partitions) => SeekAll(partitions, OffsetSpec.Latest);

    public async Task SeekToTimestampAsync(IEnumerable<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        long timestampMs = timestamp.ToUnixTimeMilliseconds();
        var lookups = new List<(TopicPartition Partition, Task<ListOffsetsResult> Lookup)>();
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                lookups.Add((partition, Get(partition).Grain.ListOffsetsAsync(timestampMs, cancellationToken)));
            }
        }

        foreach ((TopicPartition partition, Task<ListOffsetsResult> lookup) in lookups)
        {
            ListOffsetsResult result = await lookup;
            if (result.Error != ErrorCode.None)
            {
                throw new OrleansLogException(result.Error, result.Message ?? $"Looking up the offset for timestamp {timestamp:O} in {partition} failed with {result.Error}.");
            }

            lock (_gate)
            {
                SeekLocked(Get(partition), result.Offset >= 0 ? result.Offset : OffsetSpec.Latest);
            }
        }

        Pump();
    }

    public long? Position(TopicPartition partition)
    {
        lock (_gate)
        {
            long position = Get(partition).Position;
            return position >= 0 ? position : null;
        }
    }

    public void Pause(IEnumerable<TopicPartition> partitions) => SetPaused(partitions, paused: true);

    public void Resume(IEnumerable<TopicPartition> partitions) => SetPaused(partitions, paused: false);

    public async ValueTask<ConsumeResult?> ConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long deadlineMs = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : _clock.NowMs + (long)timeout.TotalMilliseconds;
        BeginPoll();
        try
        {
            return (ConsumeResult?)await ConsumeCoreAsync(deadlineMs, wholeFetch: false, cancellationToken);
        }
        finally
        {
            EndPoll();
        }
    }

    public async ValueTask<ConsumedBatch?> ConsumeBatchAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long deadlineMs = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : _clock.NowMs + (long)timeout.TotalMilliseconds;
        BeginPoll();
        try
        {
            return (ConsumedBatch?)await ConsumeCoreAsync(deadlineMs, wholeFetch: true, cancellationToken);
        }
        finally
        {
            EndPoll();
        }
    }

    /// <summary>Waits for the next record (a <see cref="ConsumeResult"/>) or, with <paramref name="wholeFetch"/>, the next <see cref="ConsumedBatch"/>.</summary>
    private async ValueTask<object?> ConsumeCoreAsync(long deadlineMs, bool wholeFetch, CancellationToken cancellationToken)
    {
        bool pumped = false;
        while (true)
        {
            if (Membership is { } membership)
            {
                await ApplyMembershipEventsAsync(membership, cancellationToken);
            }

            object? result;
            bool drainedFetch;
            Task wait;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                result = TakeLocked(wholeFetch, out drainedFetch);
                if (result is null)
                {
                    _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _waiter.Task;
                }
                else
                {
                    // The record now belongs to the application: from here until its next consume call
                    // auto-commit must not count it as processed.
                    EndPollLocked();
                    wait = Task.CompletedTask;
                }
            }

            if (result is not null)
            {
                if (drainedFetch)
                {
                    // A buffer slot came free: the partition may fetch again.
                    Pump();
                }

                return result;
            }

            if (!pumped)
            {
                Pump();
                pumped = true;
            }

            // The waiter is armed above, so an event queued after this check wakes it.
            if (Membership is { HasPendingEventsOrFailed: true })
            {
                continue;
            }

            long remainingMs = deadlineMs - _clock.NowMs;
            if (remainingMs <= 0)
            {
                return null;
            }

            try
            {
                await (deadlineMs == long.MaxValue
                    ? wait.WaitAsync(cancellationToken)
                    : wait.WaitAsync(TimeSpan.FromMilliseconds(remainingMs), _clock.TimeProvider, cancellationToken));
            }
            catch (TimeoutException)
            {
                return null;
            }
        }
    }

    public async IAsyncEnumerable<ConsumeResult> ConsumeAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ConsumeResult? result = await ConsumeAsync(Timeout.InfiniteTimeSpan, cancellationToken);
            if (result is not null)
            {
                yield return result;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed || _closing)
            {
                return;
            }

            _closing = true;
        }

        await CloseGroupOnDisposeAsync();
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            _disposed = true;
            foreach (AssignedPartition partition in _order)
            {
                partition.Discard();
            }

            _assigned.Clear();
            _order.Clear();
            _takeReader.Dispose();
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetException(new ObjectDisposedException(nameof(OrleansLogConsumer)));
        await _retryTimer.DisposeAsync();
        if (_autoCommitTimer is not null)
        {
            await _autoCommitTimer.DisposeAsync();
        }

        // _commitLock is not disposed: a commit still finishing releases it afterwards (a SemaphoreSlim
        // whose wait handle was never used holds nothing to free).
    }

    private void Assign(IEnumerable<(TopicPartition Partition, long? Offset)> partitions)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_membership is not null)
            {
                throw new InvalidOperationException(
                    $"The consumer is subscribed to [{string.Join(", ", _subscription)}] in group '{_options.GroupId}': the group assigns its partitions. Unsubscribe before assigning manually.");
            }

            var wanted = new Dictionary<TopicPartition, long?>();
            foreach ((TopicPartition partition, long? offset) in partitions)
            {
                if (TopicName.Validate(partition.Topic) is { } problem)
                {
                    throw new ArgumentException($"Cannot assign {partition}: {problem}.", nameof(partitions));
                }

                ArgumentOutOfRangeException.ThrowIfNegative(partition.Partition, nameof(partitions));
                wanted[partition] = offset;
            }

            foreach (AssignedPartition existing in _order.ToArray())
            {
                if (!wanted.ContainsKey(existing.TopicPartition))
                {
                    existing.Discard();
                    _assigned.Remove(existing.TopicPartition);
                    _order.Remove(existing);
                }
            }

            foreach ((TopicPartition partition, long? offset) in wanted)
            {
                if (!_assigned.TryGetValue(partition, out AssignedPartition? state))
                {
                    state = new AssignedPartition(partition, _grainFactory.GetGrain<IPartitionGrain>(partition.ToGrainKey()));
                    _assigned.Add(partition, state);
                    _order.Add(state);
                    if (offset is null && _coordinator is not null)
                    {
                        // With a group id, Kafka starts a manually assigned partition at the group's committed offset too.
                        state.AwaitingCommitted = true;
                    }
                    else if (offset is null)
                    {
                        ResetLocked(state, $"no position for {partition}");
                    }
                }

                if (offset is { } start)
                {
                    SeekLocked(state, start);
                }
            }

            _next = 0;
        }

        Pump();
    }

    private void SeekAll(IEnumerable<TopicPartition> partitions, long offsetSpec)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                SeekLocked(Get(partition), offsetSpec);
            }
        }

        Pump();
    }

    private static void SeekLocked(AssignedPartition partition, long offset)
    {
        if (offset < 0 && offset != OffsetSpec.Earliest && offset != OffsetSpec.Latest)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"An offset is >= 0, {OffsetSpec.Earliest} (earliest) or {OffsetSpec.Latest} (latest).");
        }

        partition.Discard();
        if (offset >= 0)
        {
            partition.Position = offset;
            partition.FetchOffset = offset;
        }
        else
        {
            partition.Position = -1;
            partition.FetchOffset = -1;
            partition.PendingReset = offset;
        }
    }

    /// <summary>Applies auto.offset.reset to a partition without a usable position.</summary>
    private void ResetLocked(AssignedPartition partition, string reason)
    {
        partition.Position = -1;
        partition.FetchOffset = -1;
        partition.ClearBuffered();
        switch (_options.AutoOffsetReset)
        {
            case AutoOffsetReset.Earliest:
                partition.PendingReset = OffsetSpec.Earliest;
                break;
            case AutoOffsetReset.Latest:
                partition.PendingReset = OffsetSpec.Latest;
                break;
            default:
                partition.PendingReset = null;
                partition.Halted = true;
                _mayHaveErrors = true;
                partition.Error = new OrleansLogException(
                    ErrorCode.OffsetOutOfRange,
                    $"{reason} and {nameof(ConsumerOptions.AutoOffsetReset)} is {AutoOffsetReset.Error}: seek {partition.TopicPartition} to continue.");
                break;
        }
    }

    private void SetPaused(IEnumerable<TopicPartition> partitions, bool paused)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        lock (_gate)
        {
            foreach (TopicPartition partition in partitions)
            {
                Get(partition).Paused = paused;
            }
        }

        Pump();
    }

    private AssignedPartition Get(TopicPartition partition)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _assigned.TryGetValue(partition, out AssignedPartition? state)
            ? state
            : throw new InvalidOperationException($"Partition {partition} is not assigned to this consumer.");
    }

    /// <summary>
    /// The next record (or with <paramref name="wholeFetch"/> the rest of the next fetch, as a lease) to hand
    /// out, round-robin over partitions one fetch result at a time; throws a partition's pending error once the
    /// records fetched before it were handed out.
    /// </summary>
    private object? TakeLocked(bool wholeFetch, out bool drainedFetch)
    {
        drainedFetch = false;
        int count = _order.Count;
        if (_mayHaveErrors)
        {
            bool waiting = false;
            foreach (AssignedPartition partition in _order)
            {
                if (partition.Error is { } error)
                {
                    if (partition.Buffered.Count > 0 && !partition.Paused)
                    {
                        // The error happened at the fetch position, after the records already fetched: those
                        // come first (Kafka's consumer, too, raises it when the position reaches it).
                        waiting = true;
                        continue;
                    }

                    partition.Error = null;
                    throw error;
                }
            }

            _mayHaveErrors = waiting;
        }

        for (int i = 0; i < count; i++)
        {
            int index = (_next + i) % count;
            AssignedPartition partition = _order[index];
            if (partition.Paused || partition.Revoking || !partition.Buffered.TryPeek(out FetchedRecords? fetched))
            {
                continue;
            }

            if (wholeFetch)
            {
                // Records the per-record path already handed out are skipped by starting at the position.
                long firstOffset = Math.Max(fetched.FromOffset, partition.Position);
                (byte[] bytes, int length) = fetched.TakeBytes();
                var batch = new ConsumedBatch(partition.TopicPartition, bytes, length, firstOffset, fetched.LastOffset, fetched.Count - fetched.Next);
                partition.Position = fetched.LastOffset + 1;
                partition.Buffered.Dequeue();
                drainedFetch = true;
                _next = (index + 1) % count;
                return batch;
            }

            List<ConsumeResult> records = fetched.Materialize(partition.TopicPartition, _takeReader);
            ConsumeResult record = records[fetched.Next++];
            partition.Position = record.Offset + 1;
            if (fetched.Next == records.Count)
            {
                fetched.ReturnBytes();
                partition.Buffered.Dequeue();
                drainedFetch = true;
                _next = (index + 1) % count;
            }
            else
            {
                _next = index;
            }

            return record;
        }

        return null;
    }
}
