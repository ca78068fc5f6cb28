using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Serialization.Buffers;
using OrleansLog.Grains.Cluster;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Placement;
using OrleansLog.Grains.Replication;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// The leader of one partition and the only writer of its log on its node (key <c>"{topic}/{partition}"</c>);
/// followers on the other replicas' nodes copy from it (<see cref="ReplicaGrain"/>).
/// Reentrant on purpose: every append does its checks, its offset assignment and its write to the page
/// cache synchronously within one turn — so order and producer state stay exact — and only then awaits
/// the group-committed fsync (flush.messages=1), letting the next append of the same partition share
/// that fsync. Long-poll fetches wait without holding the turn, so they never block appends.
/// <para>
/// Leadership (<c>PartitionGrain.Leadership.cs</c>): the grain is placed on the node
/// <see cref="LeaderElection"/> picks from the persisted replication record — the live in-sync replica
/// that led last, else the first live in-sync replica in preference order — and is
/// <see cref="ImmovableAttribute">immovable</see>: Orleans' activation rebalancing and repartitioning never
/// move it. On activation it takes office by writing a new leader epoch with the record's ETag before it
/// serves anything. If it activates anywhere else — the chosen node was down at placement time, or the
/// record changed since — it is a stand-in: it never opens a log, answers every call with a retriable
/// LeaderNotAvailable (no eligible node) or NotLeaderOrFollower, and moves to the chosen node once it is
/// active. Replication (<c>PartitionGrain.Replication.cs</c>): follower fetches, the high watermark,
/// acks=all and ISR changes, over the pure <see cref="LeaderReplicationState"/>.
/// </para>
/// </summary>
[Reentrant]
[PartitionPlacement]
[Immovable]
[GrainType("olog-partition")]
internal sealed partial class PartitionGrain(
    [PersistentState("replication", OrleansLogOptions.StorageName)] IPersistentState<PartitionReplicationState> replicationState,
    LogManager logs,
    NodeIdentity node,
    ClusterNodes clusterNodes,
    IOptions<OrleansLogOptions> options,
    TimeProvider timeProvider,
    ILogger<PartitionGrain> logger) : Grain, IPartitionGrain
{
    private readonly ProducerStateTable _producers = new();
    private TopicPartition _partition;
    private TopicConfig _config = TopicConfig.Default;
    private PartitionLog? _log;
    private string _unavailableReason = "not activated";
    private ErrorCode _unavailableError = ErrorCode.UnknownTopicOrPartition;

    /// <summary>The topic's replica assignment for this partition; empty for partitions not bound to nodes.</summary>
    private IReadOnlyList<string> _assigned = [];

    /// <summary>The node that owns this partition when this activation is a stand-in on another node.</summary>
    private string? _standInFor;
    private IGrainTimer? _standInTimer;
    private long _highWatermark;
    private TaskCompletionSource _dataArrived = NewSignal();
    private IGrainTimer? _retentionTimer;
    private Task<PartitionLog?>? _opening;
    private int _overtakenBatches;

    /// <summary>How long a batch that overtook an earlier one of its producer waits for it (see <see cref="WaitForEarlierBatchesAsync"/>).</summary>
    private static readonly TimeSpan OvertakenBatchWait = TimeSpan.FromSeconds(2);

    /// <summary>How often a stand-in checks whether the partition's node is back (membership view, no I/O).</summary>
    private static readonly TimeSpan StandInCheckInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The leader epoch stamped on appended batches: the epoch this activation took office in.</summary>
    private int _leaderEpoch;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = TopicPartition.ParseGrainKey(this.GetPrimaryKeyString());
        return GetLogAsync(cancellationToken);
    }

    /// <summary>
    /// The open log, or null with <see cref="_unavailableReason"/> set when the topic or partition does
    /// not exist. An unavailable partition asks its topic again on the next call, because the topic may
    /// have been created or grown meanwhile; concurrent callers share one attempt.
    /// </summary>
    private Task<PartitionLog?> GetLogAsync(CancellationToken cancellationToken)
    {
        if (_log is not null)
        {
            return Task.FromResult<PartitionLog?>(_log);
        }

        return _opening ??= OpenAsync(cancellationToken);
    }

    private async Task<PartitionLog?> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            TopicMetadata topic;
            using (CancellationTokenSource bounded = CallTimeouts.Bounded(cancellationToken))
            {
                topic = await GrainFactory.GetGrain<ITopicGrain>(_partition.Topic).GetMetadataAsync(bounded.Token);
            }

            _assigned = topic.ReplicasOf(_partition.Partition);
            if (!topic.Exists || _partition.Partition < 0 || _partition.Partition >= topic.PartitionCount)
            {
                _unavailableError = ErrorCode.UnknownTopicOrPartition;
                _unavailableReason = topic.Exists
                    ? $"topic '{_partition.Topic}' has {topic.PartitionCount} partitions; partition {_partition.Partition} does not exist"
                    : $"topic '{_partition.Topic}' does not exist";
                return null;
            }

            _config = topic.Config;
            if (_assigned.Count > 0)
            {
                return await TakeOfficeAsync(cancellationToken);
            }

            // A partition not bound to nodes (created before assignments existed) serves where it activates.
            PartitionLog? log = OpenLocalLog();
            if (log is not null)
            {
                _highWatermark = log.LogEndOffset;
                _leaderEpoch = Math.Max(0, log.LeaderEpochCache.LatestEpoch);
                StartServing(log);
            }

            return log;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _unavailableError = ErrorCode.LeaderNotAvailable;
            _unavailableReason = $"taking office on node '{node.NodeId}' timed out (a call to the topic or the local replica got no answer within {CallTimeouts.Control.TotalSeconds:0} s); retry";
            return null;
        }
        finally
        {
            _opening = null;
        }
    }

    private PartitionLog? OpenLocalLog()
    {
        try
        {
            return logs.GetOrOpen(_partition, _config);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or KafkaStorageException)
        {
            _unavailableError = ErrorCode.KafkaStorageError;
            _unavailableReason = $"log of {_partition} could not be opened: {ex.Message}";
            LogOpenFailed(logger, ex, _partition.ToString());
            return null;
        }
    }

    /// <summary>The log is this activation's to serve: producer state, retention, and callers may come.</summary>
    private void StartServing(PartitionLog log)
    {
        _producers.Clear();
        RebuildProducerState(log);
        TimeSpan interval = options.Value.RetentionCheckInterval;
        _retentionTimer?.Dispose();
        _retentionTimer = this.RegisterGrainTimer(
            static (grain, _) => grain.EnforceRetention(),
            this,
            new GrainTimerCreationOptions(interval, interval) { KeepAlive = true, Interleave = false });
        LogActivated(logger, _partition.ToString(), log.LogStartOffset, log.LogEndOffset, _producers.ProducerCount);
        _log = log;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _standInTimer?.Dispose();
        _retentionTimer?.Dispose();
        StopLeading(ErrorCode.NotLeaderOrFollower, $"{_partition}: the leader on node '{node.NodeId}' is deactivating; retry");
        if (_log is not null)
        {
            // A follower on this node may take the log over; only an unreplicated log is closed here.
            if (CurrentReplicas.Count <= 1)
            {
                logs.Close(_partition);
            }

            _log = null;
        }

        _dataArrived.TrySetResult();
        return Task.CompletedTask;
    }

    public async Task<AppendResult> AppendAsync(RecordBatchPayload batch, Acks acks, CancellationToken cancellationToken = default)
    {
        PartitionLog? log = _log ?? await GetLogAsync(cancellationToken);
        if (log is null)
        {
            return AppendResult.Failure(_unavailableError, $"{_partition}: {_unavailableReason}");
        }

        if (acks is not (Acks.None or Acks.Leader or Acks.All))
        {
            return AppendResult.Failure(ErrorCode.InvalidRequiredAcks, $"{_partition}: acks must be 0, 1 or -1, was {(short)acks}");
        }

        byte[] bytes = batch.Bytes;
        BatchValidationResult validation = RecordBatchValidator.Validate(bytes, _config.MaxMessageBytes);
        if (!validation.IsValid)
        {
            LogRejected(logger, _partition.ToString(), validation.Error, validation.Message);
            return AppendResult.Failure(validation.Error, $"{_partition}: {validation.Message}");
        }

        RecordBatchHeader header = validation.Header;
        SequenceCheck check = _producers.Check(header);
        if (check.Verdict == SequenceVerdict.Reject && _producers.IsAhead(header))
        {
            check = await WaitForEarlierBatchesAsync(header, cancellationToken);
            log = _log;
            if (log is null)
            {
                return AppendResult.Failure(ErrorCode.UnknownTopicOrPartition, $"{_partition}: {_unavailableReason}");
            }
        }

        if (check.Verdict == SequenceVerdict.Reject)
        {
            return AppendResult.Failure(check.Error, $"{_partition}: {check.Message}");
        }

        if (check.Verdict == SequenceVerdict.Duplicate)
        {
            return await AnswerDuplicateAsync(check.Original!, acks, log, cancellationToken);
        }

        LeaderReplicationState? replication = _replication;
        if (replication?.CheckAppend(acks, _config.MinInSyncReplicas) is ErrorCode.NotEnoughReplicas)
        {
            return AppendResult.Failure(
                ErrorCode.NotEnoughReplicas,
                $"{_partition}: acks=all needs min.insync.replicas={_config.MinInSyncReplicas} in-sync replicas, but the ISR is [{string.Join(",", replication.Isr)}] ({replication.Isr.Count}); nothing was appended");
        }

        if (_config.MessageTimestampType == "LogAppendTime")
        {
            StampLogAppendTime(bytes, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        }

        long baseOffset = log.LogEndOffset;
        long lastOffset = baseOffset + header.LastOffsetDelta;
        ValueTask<LogAppendInfo> append;
        try
        {
            // Not the caller's token: once written, the batch's answer must be settled for its retries.
            append = log.AppendAsync(bytes, _leaderEpoch, CancellationToken.None);
        }
        catch (KafkaStorageException ex)
        {
            return StorageFailure(ex);
        }

        // The bytes are in the log: followers may fetch them now, and acks=all waits for them.
        Task<ErrorCode>? replicated = null;
        if (replication is not null)
        {
            if (acks == Acks.All)
            {
                var waiter = new TaskCompletionSource<ErrorCode>(TaskCreationOptions.RunContinuationsAsynchronously);
                _replicationWaiters[lastOffset] = waiter;
                replicated = waiter.Task;
            }

            ApplyUpdate(replication.OnLeaderAppended(lastOffset, acks, _config.MinInSyncReplicas));
            SignalDataArrived();
        }

        if (append.IsCompletedSuccessfully && (replicated is null || replicated.IsCompleted))
        {
            LogAppendInfo info = append.Result;
            _producers.Record(header, info.BaseOffset, info.LogAppendTimeMs, completion: null);
            if (replication is null)
            {
                AdvanceHighWatermark(info.LastOffset + 1);
            }

            return ReplicatedResult(info, replicated?.Result ?? ErrorCode.None, log);
        }

        // The acknowledgement waits for the group-committed fsync and/or the in-sync replicas. Record the
        // batch now, in this turn, so a retry arriving meanwhile is answered as a duplicate.
        var acknowledged = new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _producers.Record(header, baseOffset, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), acknowledged.Task);
        Task<AppendResult> settled = SettleAsync(append, replicated, unreplicated: replication is null, log, acknowledged);

        // The caller may give up (its request timeout) or the wait may exceed the replica lag time; the
        // batch's own answer still settles in the background for its retries. An answer that never comes
        // would also keep this activation from ever deactivating or moving.
        try
        {
            return await settled.WaitAsync(options.Value.ReplicaLagTime, timeProvider, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return AppendResult.Failure(
                ErrorCode.RequestTimedOut,
                $"{_partition}: offsets {baseOffset}..{lastOffset} were appended but are not yet acknowledged by the in-sync replicas (high watermark {_highWatermark}); retry to learn the outcome");
        }
    }

    /// <summary>Waits for the fsync and the in-sync replicas, then records the batch's final answer.</summary>
    private async Task<AppendResult> SettleAsync(
        ValueTask<LogAppendInfo> append, Task<ErrorCode>? replicated, bool unreplicated, PartitionLog log, TaskCompletionSource<AppendResult> acknowledged)
    {
        AppendResult result;
        try
        {
            LogAppendInfo info = await append;
            if (unreplicated)
            {
                AdvanceHighWatermark(info.LastOffset + 1);
            }

            result = ReplicatedResult(info, replicated is null ? ErrorCode.None : await replicated, log);
        }
        catch (KafkaStorageException ex)
        {
            result = StorageFailure(ex);
        }

        acknowledged.SetResult(result);
        return result;
    }

    private AppendResult ReplicatedResult(LogAppendInfo info, ErrorCode replication, PartitionLog log) => replication switch
    {
        ErrorCode.None => AppendResult.Success(info.BaseOffset, info.LastOffset, info.LogAppendTimeMs, log.LogStartOffset),
        ErrorCode.NotEnoughReplicasAfterAppend => AppendResult.Failure(
            replication,
            $"{_partition}: offsets {info.BaseOffset}..{info.LastOffset} were appended, but the ISR shrank below min.insync.replicas={_config.MinInSyncReplicas} before they were replicated"),
        _ => AppendResult.Failure(
            replication,
            $"{_partition}: offsets {info.BaseOffset}..{info.LastOffset} were appended by the leader of epoch {_leaderEpoch}, which stopped leading before they were replicated; retry"),
    };

    /// <summary>
    /// A retried batch the leader already has. Its original answer stands, except that under acks=all a
    /// retry is acknowledged only once the batch is below the high watermark — it may have been appended
    /// by an earlier leader, or its first answer may have been NotEnoughReplicasAfterAppend.
    /// </summary>
    private async Task<AppendResult> AnswerDuplicateAsync(ProducerBatch original, Acks acks, PartitionLog log, CancellationToken cancellationToken)
    {
        AppendResult answer;
        try
        {
            answer = original.Completion is { } pending
                ? await pending.WaitAsync(options.Value.ReplicaLagTime, timeProvider, cancellationToken)
                : AppendResult.Success(original.BaseOffset, original.LastOffset, original.LogAppendTimeMs, log.LogStartOffset);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return AppendResult.Failure(
                ErrorCode.RequestTimedOut,
                $"{_partition}: the retried batch at offsets {original.BaseOffset}..{original.LastOffset} has no answer yet; retry");
        }

        if (_replication is null || acks != Acks.All || (answer.IsSuccess && original.Completion is not null))
        {
            return answer;
        }

        long deadline = timeProvider.GetTimestamp() + (long)(options.Value.ReplicaLagTime.TotalSeconds * timeProvider.TimestampFrequency);
        while (_highWatermark <= original.LastOffset)
        {
            if (_replication is not { } replication)
            {
                return AppendResult.Failure(_unavailableError, $"{_partition}: {_unavailableReason}");
            }

            if (replication.CheckAppend(acks, _config.MinInSyncReplicas) == ErrorCode.NotEnoughReplicas)
            {
                return AppendResult.Failure(
                    ErrorCode.NotEnoughReplicas,
                    $"{_partition}: the retried batch at offsets {original.BaseOffset}..{original.LastOffset} is not yet replicated and the ISR [{string.Join(",", replication.Isr)}] is below min.insync.replicas={_config.MinInSyncReplicas}");
            }

            long remainingTicks = deadline - timeProvider.GetTimestamp();
            if (remainingTicks <= 0 || cancellationToken.IsCancellationRequested)
            {
                return AppendResult.Failure(
                    ErrorCode.RequestTimedOut,
                    $"{_partition}: the retried batch at offsets {original.BaseOffset}..{original.LastOffset} was not replicated in time (high watermark {_highWatermark})");
            }

            await WaitForDataAsync(TimeSpan.FromSeconds(remainingTicks / (double)timeProvider.TimestampFrequency), cancellationToken);
        }

        return AppendResult.Success(original.BaseOffset, original.LastOffset, original.LogAppendTimeMs, log.LogStartOffset);
    }

    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        if ((_log ?? await GetLogAsync(cancellationToken)) is null)
        {
            return FetchResult.Failure(_unavailableError, $"{_partition}: {_unavailableReason}");
        }

        if (request.MaxBytes <= 0 || request.MinBytes < 0 || request.MaxWaitMs < 0)
        {
            return FetchResult.Failure(
                ErrorCode.InvalidRequest,
                $"{_partition}: fetch needs maxBytes > 0, minBytes >= 0 and maxWaitMs >= 0, got {request.MaxBytes}, {request.MinBytes}, {request.MaxWaitMs}");
        }

        int maxBytes = Math.Min(request.MaxBytes, options.Value.MaxFetchBytes);
        long waitMs = Math.Min(request.MaxWaitMs, (long)options.Value.MaxFetchWait.TotalMilliseconds);
        long deadline = timeProvider.GetTimestamp() + (long)(waitMs * (timeProvider.TimestampFrequency / 1000.0));
        while (true)
        {
            if (_log is null)
            {
                return FetchResult.Failure(_unavailableError, $"{_partition}: {_unavailableReason}");
            }

            // Arm the wake-up before reading so an append between the read and the wait is not missed.
            Task dataArrived = _dataArrived.Task;
            FetchResult result = Read(request.Offset, maxBytes);
            bool enough = result.Error != ErrorCode.None || result.Records.Length >= Math.Max(1, request.MinBytes);
            long remainingTicks = deadline - timeProvider.GetTimestamp();
            if (enough || remainingTicks <= 0 || cancellationToken.IsCancellationRequested)
            {
                return result;
            }

            result.Records.Dispose();
            await WaitForDataAsync(dataArrived, TimeSpan.FromSeconds(remainingTicks / (double)timeProvider.TimestampFrequency), cancellationToken);
        }
    }

    public async Task<ListOffsetsResult> ListOffsetsAsync(long timestamp, CancellationToken cancellationToken = default)
    {
        PartitionLog? log = _log ?? await GetLogAsync(cancellationToken);
        if (log is null)
        {
            return new ListOffsetsResult(_unavailableError, -1, -1, $"{_partition}: {_unavailableReason}");
        }

        ListOffsetsResult result = timestamp switch
        {
            OffsetSpec.Earliest => new ListOffsetsResult(ErrorCode.None, log.LogStartOffset, -1, null),
            OffsetSpec.Latest => new ListOffsetsResult(ErrorCode.None, _highWatermark, -1, null),
            < 0 => new ListOffsetsResult(ErrorCode.InvalidRequest, -1, -1, $"{_partition}: timestamp {timestamp} is neither -1 (latest), -2 (earliest) nor a time in ms"),
            _ => FindOffset(log, timestamp),
        };
        return result;
    }

    public async Task<PartitionDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        PartitionLog? log = _log ?? await GetLogAsync(cancellationToken);
        PartitionReplicationState stored = replicationState.State;
        IReadOnlyList<string> replicas = CurrentReplicas.Count > 0 ? CurrentReplicas : [node.NodeId];
        if (log is null)
        {
            IReadOnlyList<string> isr = stored.IsInitialized ? stored.Isr : [];
            return new PartitionDescription(
                _partition.Partition, _standInFor ?? stored.Leader ?? string.Empty, replicas, isr, stored.LeaderEpoch, -1, -1, -1, 0, _unavailableError, stored.TargetReplicas);
        }

        IReadOnlyList<string> inSync = _replication?.Isr ?? [node.NodeId];
        return new PartitionDescription(
            _partition.Partition, node.NodeId, replicas, inSync, _leaderEpoch,
            log.LogStartOffset, _highWatermark, log.LogEndOffset, log.SizeInBytes, ErrorCode.None, _stored?.TargetReplicas);
    }

    public async Task<AdminResult> DeleteRecordsBeforeAsync(long offset, CancellationToken cancellationToken = default)
    {
        PartitionLog? log = _log ?? await GetLogAsync(cancellationToken);
        if (log is null)
        {
            return AdminResult.Failure(_unavailableError, $"{_partition}: {_unavailableReason}");
        }

        long target = offset == OffsetSpec.Latest ? _highWatermark : offset;
        if (target < 0 || target > _highWatermark)
        {
            return AdminResult.Failure(
                ErrorCode.OffsetOutOfRange,
                $"{_partition}: cannot delete records before offset {offset}; it must be between {log.LogStartOffset} and the high watermark {_highWatermark}");
        }

        try
        {
            log.DeleteRecordsBefore(target);
        }
        catch (KafkaStorageException ex)
        {
            return AdminResult.Failure(ErrorCode.KafkaStorageError, $"{_partition}: {ex.Message}");
        }

        return AdminResult.Ok;
    }

    public Task ApplyConfigAsync(TopicConfig config, CancellationToken cancellationToken = default)
    {
        _config = config;
        if (_log is not null)
        {
            logs.Reconfigure(_partition, config);
        }

        return Task.CompletedTask;
    }

    public async Task DeletePartitionAsync(CancellationToken cancellationToken = default)
    {
        _retentionTimer?.Dispose();
        _retentionTimer = null;
        IReadOnlyList<string> replicas = CurrentReplicas;
        StopLeading(ErrorCode.UnknownTopicOrPartition, $"topic '{_partition.Topic}' was deleted");
        _log = null;
        _unavailableError = ErrorCode.UnknownTopicOrPartition;
        _unavailableReason = $"topic '{_partition.Topic}' was deleted";
        _producers.Clear();
        _highWatermark = 0;
        if (replicas.Count == 0 ? _standInFor is null : replicas.Contains(node.NodeId))
        {
            // Only a replica's files are this node's to remove; a stand-in elsewhere touches nothing.
            logs.Delete(_partition);
        }

        // The followers' copies go too, and the replication record, so a topic created again under this
        // name starts from its own assignment rather than this one's leaders and ISR.
        foreach (string replica in replicas)
        {
            if (replica != node.NodeId)
            {
                await TolerateUnreachableAsync(replica, GrainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(_partition, replica)).DeleteAsync(int.MaxValue, cancellationToken));
            }
        }

        if (replicationState.State.IsInitialized)
        {
            await replicationState.ClearStateAsync(cancellationToken);
        }

        _stored = null;
        _dataArrived.TrySetResult();
    }

    /// <summary>
    /// Holds back an idempotent batch that arrived ahead of an earlier batch of the same producer: Orleans
    /// may deliver concurrent calls out of order, and rejecting the overtaking batch would make the producer
    /// retry (and with five in flight, retry again and again). The batch waits, up to
    /// <see cref="OvertakenBatchWait"/>, for the batches before it; then it is checked again, and a gap that
    /// is still there is OutOfOrderSequenceNumber as in Kafka. At most <see cref="ProducerStateTable.BatchesToRetain"/>
    /// batches wait at once, the most a well-behaved producer has in flight.
    /// </summary>
    private async Task<SequenceCheck> WaitForEarlierBatchesAsync(RecordBatchHeader header, CancellationToken cancellationToken)
    {
        SequenceCheck check = _producers.Check(header);
        if (_overtakenBatches >= ProducerStateTable.BatchesToRetain)
        {
            return check;
        }

        _overtakenBatches++;
        try
        {
            long deadline = timeProvider.GetTimestamp() + (long)(OvertakenBatchWait.TotalSeconds * timeProvider.TimestampFrequency);
            while (check.Verdict == SequenceVerdict.Reject && _producers.IsAhead(header) && _log is not null)
            {
                long remainingTicks = deadline - timeProvider.GetTimestamp();
                if (remainingTicks <= 0 || cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                await WaitForDataAsync(TimeSpan.FromSeconds(remainingTicks / (double)timeProvider.TimestampFrequency), cancellationToken);
                check = _producers.Check(header);
            }
        }
        finally
        {
            _overtakenBatches--;
        }

        return check;
    }

    private FetchResult Read(long offset, int maxBytes)
    {
        PartitionLog log = _log!;
        if (!TryReadBatches(log, offset, maxBytes, _highWatermark, out LogReadResult read, out PooledBuffer records, out ErrorCode error, out string? message))
        {
            return FetchResult.Failure(error, message!, log.LogStartOffset, _highWatermark);
        }

        return new FetchResult
        {
            Error = ErrorCode.None,
            HighWatermark = _highWatermark,
            LogStartOffset = log.LogStartOffset,
            LogEndOffset = log.LogEndOffset,
            Records = records,
            NextOffset = read.BytesWritten > 0 ? read.NextOffset : offset,
        };
    }

    /// <summary>
    /// Copies whole batches from <paramref name="offset"/> below <paramref name="maxOffset"/> into a pooled
    /// buffer the caller owns; on failure the buffer is already released and the error names the partition.
    /// </summary>
    private bool TryReadBatches(
        PartitionLog log, long offset, int maxBytes, long maxOffset,
        out LogReadResult read, out PooledBuffer records, out ErrorCode error, out string? message)
    {
        System.Buffers.IBufferWriter<byte> writer = new PooledBuffer();
        try
        {
            read = log.Read(offset, maxBytes, maxOffset, writer);
        }
        catch (KafkaStorageException ex)
        {
            ((PooledBuffer)writer).Dispose();
            (read, records, error, message) = (default, default, ErrorCode.KafkaStorageError, $"{_partition}: {ex.Message}");
            return false;
        }

        // PooledBuffer is a struct: the log wrote into the boxed copy, so take that one back.
        records = (PooledBuffer)writer;
        if (read.ErrorCode != ErrorCode.None)
        {
            records.Dispose();
            (records, error, message) = (default, read.ErrorCode, read.ErrorMessage ?? $"{_partition}: read at offset {offset} failed");
            return false;
        }

        (error, message) = (ErrorCode.None, null);
        return true;
    }

    private ListOffsetsResult FindOffset(PartitionLog log, long timestamp)
    {
        TimestampOffset? found = log.OffsetForTimestamp(timestamp);
        return found is { } hit && hit.Offset < _highWatermark
            ? new ListOffsetsResult(ErrorCode.None, hit.Offset, hit.Timestamp, null)
            : new ListOffsetsResult(ErrorCode.None, -1, -1, null);
    }

    private Task EnforceRetention()
    {
        PartitionLog? log = _log;
        if (log is null)
        {
            return Task.CompletedTask;
        }

        try
        {
            RetentionResult result = log.ApplyRetention(_highWatermark);
            if (result.DeletedSegments > 0)
            {
                LogRetention(logger, _partition.ToString(), result.DeletedSegments, log.LogStartOffset);
            }
        }
        catch (KafkaStorageException ex)
        {
            LogRetentionFailed(logger, ex, _partition.ToString());
        }

        return Task.CompletedTask;
    }

    private void RebuildProducerState(PartitionLog log)
    {
        foreach (RecordBatchHeader stored in log.ReadBatchHeaders(log.LogStartOffset))
        {
            _producers.Replay(stored);
        }
    }

    private void AdvanceHighWatermark(long offset)
    {
        if (offset > _highWatermark)
        {
            _highWatermark = offset;
        }

        SignalDataArrived();
    }

    /// <summary>Wakes long-polling fetches (consumers and followers) and held-back batches.</summary>
    private void SignalDataArrived()
    {
        TaskCompletionSource signal = _dataArrived;
        _dataArrived = NewSignal();
        signal.TrySetResult();
    }

    private Task WaitForDataAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitForDataAsync(_dataArrived.Task, timeout, cancellationToken);

    /// <summary>
    /// Waits until the next append or high-watermark move, the timeout, or cancellation. Always yields the
    /// turn when nothing has arrived yet: with an already cancelled token the delay completes at once, and
    /// a caller's wait loop would otherwise spin synchronously and hold the activation until its deadline.
    /// Callers must check the token after it returns.
    /// </summary>
    private async Task WaitForDataAsync(Task dataArrived, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            await Task.Yield();
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task delay = Task.Delay(timeout, timeProvider, cancel.Token);
        await Task.WhenAny(dataArrived, delay);
        await cancel.CancelAsync();
    }

    private AppendResult StorageFailure(KafkaStorageException ex)
    {
        LogStorageFailure(logger, ex, _partition.ToString());
        return AppendResult.Failure(ErrorCode.KafkaStorageError, $"{_partition}: {ex.Message}");
    }

    /// <summary>
    /// message.timestamp.type=LogAppendTime: Kafka sets the timestamp-type bit and maxTimestamp to the
    /// broker's clock. Both are inside the CRC, so the CRC is recomputed — the one case where the broker
    /// touches checksummed bytes (DefaultRecordBatch.setMaxTimestamp).
    /// </summary>
    private static void StampLogAppendTime(byte[] batch, long nowMs)
    {
        Span<byte> span = batch;
        short attributes = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(span[RecordBatchLayout.AttributesPosition..]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16BigEndian(
            span[RecordBatchLayout.AttributesPosition..], (short)(attributes | RecordBatchLayout.TimestampTypeMask));
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.MaxTimestampPosition..], nowMs);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatchLayout.CrcPosition..], RecordBatchHeader.ComputeCrc(span));
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
