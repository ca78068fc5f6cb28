using System.Buffers.Binary;
using OrleansLog.Grains.Replication;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>The leader's produce path: validate, dedupe, append, wait for the fsync and the in-sync replicas.</summary>
internal sealed partial class Partition
{
    /// <summary>
    /// How long a batch that overtook an earlier one of its producer waits for it: long enough for calls
    /// Orleans delivered out of order, and well within the producer's default request timeout (2 s), so that
    /// when the earlier batch never comes (refused for good) the producer gets a definite OutOfOrderSequence
    /// it can act on rather than a timeout of unknown outcome.
    /// </summary>
    private static readonly TimeSpan OvertakenBatchWait = TimeSpan.FromSeconds(1);

    private int _overtakenBatches;

    /// <summary>
    /// Appends one record batch as leader. Its checks, offset assignment and write to the page cache run
    /// synchronously (so order and producer state stay exact), then it waits for the group-committed fsync
    /// (flush.messages=1) and, under acks=all, for the ISR — up to replica.lag.time.max or the caller's
    /// token; the batch's own answer still settles for its retries after that.
    /// </summary>
    public async Task<AppendResult> AppendAsync(byte[] bytes, Acks acks, CancellationToken cancellationToken)
    {
        if (NotLeading() is { } refused)
        {
            return AppendResult.Failure(refused.Error, refused.Message);
        }

        if (acks is not (Acks.None or Acks.Leader or Acks.All))
        {
            return AppendResult.Failure(ErrorCode.InvalidRequiredAcks, $"{Id}: acks must be 0, 1 or -1, was {(short)acks}");
        }

        BatchValidationResult validation = RecordBatchValidator.Validate(bytes, _config.MaxMessageBytes);
        if (!validation.IsValid)
        {
            LogRejected(_logger, Id.ToString(), validation.Error, validation.Message);
            return AppendResult.Failure(validation.Error, $"{Id}: {validation.Message}");
        }

        RecordBatchHeader header = validation.Header;
        bool waited = false;
        ProducerBatch? duplicate = null;
        LogAppendInfo info = default;
        ValueTask<LogAppendInfo> durable = default;
        Task<ErrorCode>? replicated = null;
        TaskCompletionSource<AppendResult>? acknowledged = null;
        while (true)
        {
            lock (_lock)
            {
                if (NotLeading() is { } gone)
                {
                    return AppendResult.Failure(gone.Error, gone.Message);
                }

                SequenceCheck check = _producers.Check(header);
                if (check.Verdict == SequenceVerdict.Reject && !waited && _producers.IsAhead(header))
                {
                    // Released below: the batch waits for the ones it overtook without holding the lock.
                }
                else if (check.Verdict == SequenceVerdict.Reject)
                {
                    return AppendResult.Failure(check.Error, $"{Id}: {check.Message}");
                }
                else if (check.Verdict == SequenceVerdict.Duplicate)
                {
                    duplicate = check.Original!;
                    break;
                }
                else
                {
                    LeaderReplicationState replication = _replication!;
                    if (replication.CheckAppend(acks, _config.MinInSyncReplicas) is ErrorCode.NotEnoughReplicas)
                    {
                        return AppendResult.Failure(
                            ErrorCode.NotEnoughReplicas,
                            $"{Id}: acks=all needs min.insync.replicas={_config.MinInSyncReplicas} in-sync replicas, but the ISR is [{string.Join(",", replication.Isr)}] ({replication.Isr.Count}); nothing was appended");
                    }

                    if (_config.MessageTimestampType == "LogAppendTime")
                    {
                        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                        StampLogAppendTime(bytes, now);
                        header = header with { MaxTimestamp = now };
                    }

                    LogAppend append;
                    try
                    {
                        append = Log.Append(bytes, header, LeaderEpoch);
                    }
                    catch (KafkaStorageException ex)
                    {
                        return StorageFailure(ex);
                    }

                    // The bytes are in the log: followers may fetch them now, and acks=all waits for them.
                    info = append.Info;
                    durable = append.Durable;
                    SnapshotIfRolled(asOf: info.BaseOffset);
                    if (durable.IsCompletedSuccessfully)
                    {
                        Apply(replication.OnLeaderDurable(info.NextOffset));
                    }

                    ReplicationUpdate update = replication.OnLeaderAppended(info.LastOffset, acks, _config.MinInSyncReplicas);
                    replicated = update.Acknowledged;
                    Apply(update);
                    SignalDataArrived();
                    if (durable.IsCompletedSuccessfully && (replicated is null || replicated.IsCompleted))
                    {
                        _producers.Record(header, info.BaseOffset, info.LogAppendTimeMs, completion: null);
                        return ReplicatedResult(info, replicated?.Result ?? ErrorCode.None);
                    }

                    // Record the batch now, under the lock, so a retry arriving meanwhile is answered as a duplicate.
                    acknowledged = new TaskCompletionSource<AppendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _producers.Record(header, info.BaseOffset, info.LogAppendTimeMs, acknowledged.Task);
                    break;
                }
            }

            await WaitForEarlierBatchesAsync(header, cancellationToken);
            waited = true;
        }

        if (duplicate is not null)
        {
            return await AnswerDuplicateAsync(duplicate, acks, cancellationToken);
        }

        Task<AppendResult> settled = SettleAsync(durable, replicated, acknowledged!, _replication);
        try
        {
            return await settled.WaitAsync(_settings.ReplicaLagTime, _time, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return AppendResult.Failure(
                ErrorCode.RequestTimedOut,
                $"{Id}: offsets {info.BaseOffset}..{info.LastOffset} were appended but are not yet acknowledged by the in-sync replicas (high watermark {HighWatermark}); retry to learn the outcome");
        }
    }

    /// <summary>Waits for the fsync and the in-sync replicas, then records the batch's final answer.</summary>
    private async Task<AppendResult> SettleAsync(
        ValueTask<LogAppendInfo> durable, Task<ErrorCode>? replicated, TaskCompletionSource<AppendResult> acknowledged, LeaderReplicationState? appendedUnder)
    {
        AppendResult result;
        try
        {
            LogAppendInfo info = await durable;
            lock (_lock)
            {
                if (appendedUnder is not null && ReferenceEquals(_replication, appendedUnder))
                {
                    // The leader's own copy is now on disk: under flush.messages=1 the HW may move past it.
                    Apply(appendedUnder.OnLeaderDurable(info.NextOffset));
                }
            }

            result = ReplicatedResult(info, replicated is null ? ErrorCode.None : await replicated);
        }
        catch (KafkaStorageException ex)
        {
            result = StorageFailure(ex);
        }
        catch (InvalidOperationException ex)
        {
            // The log was truncated below the batch before its fsync: this copy stopped leading and followed
            // a newer leader, whose log did not have it. Not appended, as far as the producer can tell: retriable.
            result = AppendResult.Failure(ErrorCode.NotLeaderOrFollower, $"{Id}: {ex.Message} This copy no longer leads; retry");
        }

        acknowledged.SetResult(result);
        return result;
    }

    private AppendResult ReplicatedResult(LogAppendInfo info, ErrorCode replication) => replication switch
    {
        ErrorCode.None => AppendResult.Success(info.BaseOffset, info.LastOffset, info.LogAppendTimeMs, Log.LogStartOffset),
        ErrorCode.NotEnoughReplicasAfterAppend => AppendResult.Failure(
            replication,
            $"{Id}: offsets {info.BaseOffset}..{info.LastOffset} were appended, but the ISR shrank below min.insync.replicas={_config.MinInSyncReplicas} before they were replicated"),
        _ => AppendResult.Failure(
            replication,
            $"{Id}: offsets {info.BaseOffset}..{info.LastOffset} were appended by the leader of epoch {LeaderEpoch}, which stopped leading before they were replicated; retry"),
    };

    /// <summary>
    /// A retried batch the leader already has. Its original answer stands, except that under acks=all a
    /// retry is acknowledged only once the batch is below the high watermark — it may have been appended
    /// by an earlier leader, or its first answer may have been NotEnoughReplicasAfterAppend.
    /// </summary>
    private async Task<AppendResult> AnswerDuplicateAsync(ProducerBatch original, Acks acks, CancellationToken cancellationToken)
    {
        AppendResult answer = AppendResult.Success(original.BaseOffset, original.LastOffset, original.LogAppendTimeMs, Log.LogStartOffset);
        if (original.Completion is { } pending)
        {
            if (!await pending.CompletesWithinAsync(_settings.ReplicaLagTime, _time, cancellationToken))
            {
                return AppendResult.Failure(
                    ErrorCode.RequestTimedOut,
                    $"{Id}: the retried batch at offsets {original.BaseOffset}..{original.LastOffset} has no answer yet; retry");
            }

            answer = await pending;
        }

        if (acks != Acks.All || (answer.IsSuccess && original.Completion is not null))
        {
            return answer;
        }

        long deadline = DeadlineAfter(_settings.ReplicaLagTime);
        while (HighWatermark <= original.LastOffset)
        {
            if (_replication is not { } replication)
            {
                (ErrorCode error, string message) = NotLeading() ?? (ErrorCode.NotLeaderOrFollower, $"{Id}: not leading");
                return AppendResult.Failure(error, message);
            }

            if (replication.CheckAppend(acks, _config.MinInSyncReplicas) == ErrorCode.NotEnoughReplicas)
            {
                return AppendResult.Failure(
                    ErrorCode.NotEnoughReplicas,
                    $"{Id}: the retried batch at offsets {original.BaseOffset}..{original.LastOffset} is not yet replicated and the ISR [{string.Join(",", replication.Isr)}] is below min.insync.replicas={_config.MinInSyncReplicas}");
            }

            if (_time.GetTimestamp() >= deadline || cancellationToken.IsCancellationRequested)
            {
                return AppendResult.Failure(
                    ErrorCode.RequestTimedOut,
                    $"{Id}: the retried batch at offsets {original.BaseOffset}..{original.LastOffset} was not replicated in time (high watermark {HighWatermark})");
            }

            await WaitForDataAsync(DataArrived, Remaining(deadline), cancellationToken);
        }

        return AppendResult.Success(original.BaseOffset, original.LastOffset, original.LogAppendTimeMs, Log.LogStartOffset);
    }

    /// <summary>
    /// Holds back an idempotent batch that arrived ahead of an earlier batch of the same producer: Orleans
    /// may deliver concurrent calls out of order, and rejecting the overtaking batch would make the producer
    /// retry (and with five in flight, retry again and again). The batch waits, up to
    /// <see cref="OvertakenBatchWait"/>, for the batches before it; then it is checked again, and a gap that
    /// is still there is OutOfOrderSequenceNumber as in Kafka. At most <see cref="ProducerStateTable.BatchesToRetain"/>
    /// batches wait at once, the most a well-behaved producer has in flight.
    /// </summary>
    private async Task WaitForEarlierBatchesAsync(RecordBatchHeader header, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _overtakenBatches) > ProducerStateTable.BatchesToRetain)
        {
            Interlocked.Decrement(ref _overtakenBatches);
            return;
        }

        try
        {
            long deadline = DeadlineAfter(OvertakenBatchWait);
            while (_time.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
            {
                Task dataArrived = DataArrived;
                lock (_lock)
                {
                    if (Role != PartitionRole.Leader || _producers.Check(header).Verdict != SequenceVerdict.Reject || !_producers.IsAhead(header))
                    {
                        return;
                    }
                }

                await WaitForDataAsync(dataArrived, Remaining(deadline), cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _overtakenBatches);
        }
    }

    /// <summary>Why this copy cannot serve as leader now, or null when it leads.</summary>
    private (ErrorCode Error, string Message)? NotLeading() => Role == PartitionRole.Leader
        ? null
        : (ErrorCode.NotLeaderOrFollower, $"{Id}: this node's copy is not the leader (role {Role}, last leader epoch {LeaderEpoch}); retry");

    private AppendResult StorageFailure(KafkaStorageException ex)
    {
        LogStorageFailure(_logger, ex, Id.ToString());
        return AppendResult.Failure(ErrorCode.KafkaStorageError, $"{Id}: {ex.Message}");
    }

    /// <summary>
    /// message.timestamp.type=LogAppendTime: Kafka sets the timestamp-type bit and maxTimestamp to the
    /// broker's clock. Both are inside the CRC, so the CRC is recomputed — the one case where the broker
    /// touches checksummed bytes (DefaultRecordBatch.setMaxTimestamp).
    /// </summary>
    private static void StampLogAppendTime(byte[] batch, long nowMs)
    {
        Span<byte> span = batch;
        short attributes = BinaryPrimitives.ReadInt16BigEndian(span[RecordBatchLayout.AttributesPosition..]);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.AttributesPosition..], (short)(attributes | RecordBatchLayout.TimestampTypeMask));
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.MaxTimestampPosition..], nowMs);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatchLayout.CrcPosition..], RecordBatchHeader.ComputeCrc(span));
    }
}
