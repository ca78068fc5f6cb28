using System.Text;
using Orleans.Serialization.Buffers;
using OrleansLog.Grains;
using OrleansLog.Records;
using Record = OrleansLog.Records.Record;

namespace OrleansLog.Client.Tests;

/// <summary>
/// An in-memory partition leader that behaves like Kafka's where the client depends on it: it validates
/// each batch with the real <see cref="RecordBatchValidator"/>, assigns offsets, deduplicates idempotent
/// batches (a retry of one of a producer's last five batches gets the original offsets; a sequence gap gets
/// OutOfOrderSequenceNumber; an unknown producer may start at any sequence), returns whole batches from fetch with a short long-poll, and answers
/// ListOffsets. Tests steer failures through <see cref="Interceptor"/>. It describes itself with scripted
/// replicas (one node, "node-1", by default) and accepts a reassignment by recording its target until
/// <see cref="CompleteReassignment"/>. It is never a follower's leader: replica fetches are refused.
/// </summary>
internal sealed class FakePartitionGrain(TopicPartition topicPartition) : IPartitionGrain
{
    private readonly Lock _gate = new();
    private readonly List<StoredBatch> _log = [];
    private readonly Dictionary<long, List<StoredBatch>> _producers = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _appendCalls;

    public TopicPartition TopicPartition { get; } = topicPartition;

    /// <summary>When true every call answers UnknownTopicOrPartition, as for a partition that does not exist.</summary>
    public bool Missing { get; init; }

    /// <summary>
    /// Sees every append before it is applied: gets the 1-based call number, the batch header and a function
    /// that applies the append; may delay, fail, or apply and then throw (a lost answer).
    /// </summary>
    public Func<int, RecordBatchHeader, Func<Task<AppendResult>>, Task<AppendResult>>? Interceptor { get; set; }

    /// <summary>The largest batch it accepts (the topic's max.message.bytes); larger ones get MessageTooLarge.</summary>
    public int MaxBatchBytes { get; set; } = 1 << 20;

    /// <summary>Called with every fetch request as it arrives.</summary>
    public Action<FetchRequest>? OnFetch { get; set; }

    /// <summary>Sees every fetch first; a non-null answer is returned instead of reading the log.</summary>
    public Func<FetchRequest, FetchResult?>? FetchInterceptor { get; set; }

    /// <summary>The stored bytes of the batch at <paramref name="index"/> in the log, copied.</summary>
    public byte[] StoredBatchBytes(int index)
    {
        lock (_gate)
        {
            return (byte[])_log[index].Bytes.Clone();
        }
    }

    /// <summary>The replicas <see cref="DescribeAsync"/> reports, preferred leader (and leader) first.</summary>
    public IReadOnlyList<string> Replicas { get; set; } = ["node-1"];

    /// <summary>Where a started reassignment moves the replicas; null when none runs.</summary>
    public IReadOnlyList<string>? TargetReplicas { get; private set; }

    public int LeaderEpoch { get; private set; }

    /// <summary>Finishes the running reassignment as the real grain would: the target becomes the replica set, a new leader a new epoch.</summary>
    public void CompleteReassignment()
    {
        lock (_gate)
        {
            IReadOnlyList<string> target = TargetReplicas ?? throw new InvalidOperationException($"{TopicPartition}: no reassignment runs");
            if (target[0] != Replicas[0])
            {
                LeaderEpoch++;
            }

            Replicas = target;
            TargetReplicas = null;
        }
    }

    /// <summary>Acks values of every append call, in order.</summary>
    public List<Acks> AcksSeen { get; } = [];

    public int AppendCalls => Volatile.Read(ref _appendCalls);

    public long LogStartOffset { get; private set; }

    public long LogEndOffset
    {
        get
        {
            lock (_gate)
            {
                return _log.Count == 0 ? LogStartOffset : _log[^1].LastOffset + 1;
            }
        }
    }

    /// <summary>Headers of the stored batches, in log order.</summary>
    public IReadOnlyList<RecordBatchHeader> StoredBatches
    {
        get
        {
            lock (_gate)
            {
                return [.. _log.Select(static b => RecordBatchHeader.Read(b.Bytes))];
            }
        }
    }

    /// <summary>Every stored record as (offset, key, value) strings, in log order.</summary>
    public IReadOnlyList<(long Offset, string? Key, string? Value)> StoredRecords()
    {
        var records = new List<(long, string?, string?)>();
        lock (_gate)
        {
            foreach (StoredBatch batch in _log)
            {
                foreach (Record record in RecordBatch.EnumerateRecords(batch.Bytes))
                {
                    records.Add((
                        record.Offset,
                        record.KeyIsNull ? null : Encoding.UTF8.GetString(record.Key.Span),
                        record.ValueIsNull ? null : Encoding.UTF8.GetString(record.Value.Span)));
                }
            }
        }

        return records;
    }

    /// <summary>Appends one batch of UTF-8 records directly (timestamps 1000, 1001, ...); returns its base offset.</summary>
    public long AppendRecords(params (string? Key, string? Value)[] records)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, 1 << 20);
        long timestamp = 1000 + LogEndOffset;
        foreach ((string? key, string? value) in records)
        {
            builder.TryAppend(
                timestamp++,
                key is null ? null : Encoding.UTF8.GetBytes(key),
                value is null ? null : Encoding.UTF8.GetBytes(value));
        }

        AppendResult result = Apply(builder.SealToArray());
        return result.IsSuccess ? result.BaseOffset : throw new InvalidOperationException(result.Message);
    }

    public async Task<AppendResult> AppendAsync(RecordBatchPayload batch, Acks acks, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        int call = Interlocked.Increment(ref _appendCalls);
        lock (_gate)
        {
            AcksSeen.Add(acks);
        }

        if (Missing)
        {
            return AppendResult.Failure(ErrorCode.UnknownTopicOrPartition, $"{TopicPartition} does not exist");
        }

        // Copy as the real grain's storage would; the caller's array stays the caller's.
        byte[] bytes = (byte[])batch.Bytes.Clone();
        RecordBatchHeader header = RecordBatchHeader.Read(bytes);
        return Interceptor is null
            ? Apply(bytes)
            : await Interceptor(call, header, () => Task.FromResult(Apply(bytes)));
    }

    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        OnFetch?.Invoke(request);
        if (FetchInterceptor?.Invoke(request) is { } intercepted)
        {
            return intercepted;
        }

        if (Missing)
        {
            return FetchResult.Failure(ErrorCode.UnknownTopicOrPartition, $"{TopicPartition} does not exist");
        }

        Task appended;
        lock (_gate)
        {
            long logEnd = _log.Count == 0 ? LogStartOffset : _log[^1].LastOffset + 1;
            if (request.Offset < LogStartOffset || request.Offset > logEnd)
            {
                return FetchResult.Failure(
                    ErrorCode.OffsetOutOfRange,
                    $"offset {request.Offset} is outside {TopicPartition} [{LogStartOffset}, {logEnd}]",
                    LogStartOffset,
                    logEnd);
            }

            if (request.Offset < logEnd)
            {
                return ReadLocked(request, logEnd);
            }

            appended = _appended.Task;
        }

        // The long poll: wait for an append, the request's max wait, or cancellation.
        await Task.WhenAny(appended, Task.Delay(request.MaxWaitMs, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            long logEnd = _log.Count == 0 ? LogStartOffset : _log[^1].LastOffset + 1;
            return request.Offset < logEnd
                ? ReadLocked(request, logEnd)
                : new FetchResult { HighWatermark = logEnd, LogEndOffset = logEnd, LogStartOffset = LogStartOffset, NextOffset = request.Offset, Records = new PooledBuffer() };
        }
    }

    public Task<ListOffsetsResult> ListOffsetsAsync(long timestamp, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            long logEnd = _log.Count == 0 ? LogStartOffset : _log[^1].LastOffset + 1;
            if (Missing)
            {
                return Task.FromResult(new ListOffsetsResult(ErrorCode.UnknownTopicOrPartition, -1, -1, "missing"));
            }

            if (timestamp == OffsetSpec.Earliest)
            {
                return Task.FromResult(new ListOffsetsResult(ErrorCode.None, LogStartOffset, -1, null));
            }

            if (timestamp == OffsetSpec.Latest)
            {
                return Task.FromResult(new ListOffsetsResult(ErrorCode.None, logEnd, -1, null));
            }

            foreach (StoredBatch batch in _log)
            {
                foreach (Record record in RecordBatch.EnumerateRecords(batch.Bytes))
                {
                    if (record.Offset >= LogStartOffset && record.Timestamp >= timestamp)
                    {
                        return Task.FromResult(new ListOffsetsResult(ErrorCode.None, record.Offset, record.Timestamp, null));
                    }
                }
            }

            return Task.FromResult(new ListOffsetsResult(ErrorCode.None, -1, -1, null));
        }
    }

    public Task<PartitionDescription> DescribeAsync(CancellationToken cancellationToken = default) => Task.FromResult(Describe());

    /// <summary>What <see cref="DescribeAsync"/> answers: every replica in sync, the high watermark at the log end.</summary>
    public PartitionDescription Describe()
    {
        lock (_gate)
        {
            long logEnd = _log.Count == 0 ? LogStartOffset : _log[^1].LastOffset + 1;
            long size = _log.Sum(static b => (long)b.Bytes.Length);
            return Missing
                ? new PartitionDescription(TopicPartition.Partition, "", [], [], -1, -1, -1, -1, -1, ErrorCode.UnknownTopicOrPartition)
                : new PartitionDescription(TopicPartition.Partition, Replicas[0], Replicas, Replicas, LeaderEpoch, LogStartOffset, logEnd, logEnd, size, ErrorCode.None, TargetReplicas);
        }
    }

    public Task<AdminResult> DeleteRecordsBeforeAsync(long offset, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            LogStartOffset = offset;
            _log.RemoveAll(b => b.LastOffset < offset);
        }

        return Task.FromResult(AdminResult.Ok);
    }

    public Task<ReplicaFetchResult> ReplicaFetchAsync(ReplicaFetchRequest request, CancellationToken cancellationToken = default) =>
        Task.FromResult(ReplicaFetchResult.Failure(ErrorCode.NotLeaderOrFollower, $"{TopicPartition}: the fake partition has no followers", LeaderEpoch));

    public Task<EpochEndOffsetResult> OffsetForLeaderEpochAsync(string nodeId, int currentLeaderEpoch, int requestedEpoch, CancellationToken cancellationToken = default) =>
        Task.FromResult(new EpochEndOffsetResult(ErrorCode.NotLeaderOrFollower, $"{TopicPartition}: the fake partition has no followers", LeaderEpoch, -1, -1));

    /// <summary>Records the target; the shape of <paramref name="replicas"/> was checked by the topic grain, as in the real cluster.</summary>
    public Task<AdminResult> ReassignAsync(IReadOnlyList<string> replicas, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (Missing)
            {
                return Task.FromResult(AdminResult.Failure(ErrorCode.UnknownTopicOrPartition, $"{TopicPartition} does not exist"));
            }

            if (TargetReplicas is { } running)
            {
                return Task.FromResult(AdminResult.Failure(
                    ErrorCode.ReassignmentInProgress,
                    $"{TopicPartition} is already moving from [{string.Join(',', Replicas)}] to [{string.Join(',', running)}]"));
            }

            // Kafka treats a reassignment to the current replicas as done at once.
            if (!replicas.SequenceEqual(Replicas, StringComparer.Ordinal))
            {
                TargetReplicas = [.. replicas];
            }

            return Task.FromResult(AdminResult.Ok);
        }
    }

    public Task ApplyConfigAsync(TopicConfig config, CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task DeletePartitionAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    private AppendResult Apply(byte[] bytes)
    {
        BatchValidationResult validation = RecordBatchValidator.Validate(bytes, MaxBatchBytes);
        if (!validation.IsValid)
        {
            return AppendResult.Failure(validation.Error, validation.Message!);
        }

        RecordBatchHeader header = validation.Header;
        TaskCompletionSource appended;
        AppendResult result;
        lock (_gate)
        {
            if (header.HasProducerId)
            {
                _producers.TryGetValue(header.ProducerId, out List<StoredBatch>? recent);
                if (recent?.Find(b => b.BaseSequence == header.BaseSequence && b.LastSequence == header.LastSequence) is { } duplicate)
                {
                    return AppendResult.Success(duplicate.BaseOffset, duplicate.LastOffset, -1, LogStartOffset);
                }

                // Like Kafka and the real partition grain, any first sequence of an unknown producer is accepted.
                int expected = recent is null ? header.BaseSequence : PartitionQueue.NextSequence(recent[^1].LastSequence, 1);
                if (header.BaseSequence != expected)
                {
                    return AppendResult.Failure(
                        ErrorCode.OutOfOrderSequenceNumber,
                        $"{TopicPartition}: producer {header.ProducerId} base sequence expected {expected}, actual {header.BaseSequence}");
                }
            }

            long baseOffset = _log.Count == 0 ? LogStartOffset : _log[^1].LastOffset + 1;
            RecordBatchHeader.WriteBaseOffset(bytes, baseOffset);
            var stored = new StoredBatch(bytes, baseOffset, baseOffset + header.LastOffsetDelta, header.BaseSequence, header.LastSequence);
            _log.Add(stored);
            if (header.HasProducerId)
            {
                if (!_producers.TryGetValue(header.ProducerId, out List<StoredBatch>? recent))
                {
                    _producers[header.ProducerId] = recent = [];
                }

                recent.Add(stored);
                if (recent.Count > 5)
                {
                    recent.RemoveAt(0);
                }
            }

            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            result = AppendResult.Success(baseOffset, stored.LastOffset, -1, LogStartOffset);
        }

        appended.TrySetResult();
        return result;
    }

    private FetchResult ReadLocked(FetchRequest request, long logEnd)
    {
        var buffer = new PooledBuffer();
        long next = request.Offset;
        foreach (StoredBatch batch in _log)
        {
            if (batch.LastOffset < request.Offset)
            {
                continue;
            }

            if (buffer.Length > 0 && buffer.Length + batch.Bytes.Length > request.MaxBytes)
            {
                break;
            }

            buffer.Write(batch.Bytes);
            next = batch.LastOffset + 1;
        }

        return new FetchResult
        {
            HighWatermark = logEnd,
            LogEndOffset = logEnd,
            LogStartOffset = LogStartOffset,
            NextOffset = next,
            Records = buffer,
        };
    }

    private sealed record StoredBatch(byte[] Bytes, long BaseOffset, long LastOffset, int BaseSequence, int LastSequence);
}
