using System.Buffers;
using Orleans.Serialization.Buffers;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// The fetch pipeline: which partitions need a fetch or an offset lookup now (<see cref="Pump"/>), the
/// long-poll fetches themselves with their retries, and turning a fetch result into checked records.
/// </summary>
public sealed partial class OrleansLogConsumer
{
    /// <summary>Starts the fetches and offset lookups the partitions need now; safe to call from anywhere.</summary>
    private void Pump()
    {
        List<(AssignedPartition Partition, FetchRequest Request, int Epoch, CancellationToken Cancellation)>? fetches = null;
        List<(AssignedPartition Partition, long Spec, int Epoch)>? resets = null;
        List<(AssignedPartition Partition, int Epoch)>? lookups = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            long nowMs = _clock.NowMs;
            long nextRetryMs = long.MaxValue;
            foreach (AssignedPartition partition in _order)
            {
                if (partition.Halted || partition.Revoking || partition.FetchInFlight || partition.ResetInFlight || partition.CommittedLookupInFlight)
                {
                    continue;
                }

                if (nowMs < partition.RetryAtMs)
                {
                    nextRetryMs = Math.Min(nextRetryMs, partition.RetryAtMs);
                    continue;
                }

                if (partition.AwaitingCommitted)
                {
                    partition.CommittedLookupInFlight = true;
                    (lookups ??= []).Add((partition, partition.Epoch));
                }
                else if (partition.PendingReset is { } spec)
                {
                    partition.ResetInFlight = true;
                    (resets ??= []).Add((partition, spec, partition.Epoch));
                }
                else if (!partition.Paused && partition.FetchOffset >= 0 && partition.Buffered.Count < _options.BufferedFetchesPerPartition)
                {
                    partition.FetchInFlight = true;
                    var cancellation = new CancellationTokenSource();
                    partition.FetchCancellation = cancellation;
                    var request = new FetchRequest(partition.FetchOffset, _options.MaxPartitionFetchBytes, _options.FetchMinBytes, _fetchMaxWaitMs);
                    (fetches ??= []).Add((partition, request, partition.Epoch, cancellation.Token));
                }
            }

            _retryTimer.Change(
                nextRetryMs == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(Math.Max(1, nextRetryMs - nowMs)),
                Timeout.InfiniteTimeSpan);
        }

        if (lookups is not null)
        {
            _ = LookUpCommittedAsync(lookups);
        }

        if (resets is not null)
        {
            foreach ((AssignedPartition partition, long spec, int epoch) in resets)
            {
                _ = ResetAsync(partition, spec, epoch);
            }
        }

        if (fetches is not null)
        {
            foreach ((AssignedPartition partition, FetchRequest request, int epoch, CancellationToken cancellation) in fetches)
            {
                _ = FetchAsync(partition, request, epoch, cancellation);
            }
        }
    }

    private async Task ResetAsync(AssignedPartition partition, long spec, int epoch)
    {
        ListOffsetsResult result = default;
        Exception? error = null;
        try
        {
            result = await partition.Grain.ListOffsetsAsync(spec, CancellationToken.None);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        TaskCompletionSource? waiter;
        lock (_gate)
        {
            partition.ResetInFlight = false;
            if (_disposed || partition.Epoch != epoch)
            {
                waiter = null;
            }
            else
            {
                if (error is null && result.Error == ErrorCode.None && result.Offset >= 0)
                {
                    partition.PendingReset = null;
                    partition.Position = result.Offset;
                    partition.FetchOffset = result.Offset;
                    LogPositionReset(_logger, partition.TopicPartition.Topic, partition.TopicPartition.Partition, spec == OffsetSpec.Earliest ? "earliest" : "latest", result.Offset);
                }
                else
                {
                    Exception failure = error ?? new OrleansLogException(
                        result.Error == ErrorCode.None ? ErrorCode.UnknownServerError : result.Error,
                        result.Message ?? $"Looking up the {(spec == OffsetSpec.Earliest ? "earliest" : "latest")} offset of {partition.TopicPartition} returned offset {result.Offset}.");
                    FailLocked(partition, failure);
                }

                waiter = TakeWaiterLocked();
            }
        }

        waiter?.TrySetResult();
        Pump();
    }

    private async Task FetchAsync(AssignedPartition partition, FetchRequest request, int epoch, CancellationToken cancellation)
    {
        FetchResult result = default;
        Exception? error = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(request.MaxWaitMs) + _options.RequestTimeout);
        try
        {
            result = await partition.Grain.FetchAsync(request, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            error = new TimeoutException(
                $"Fetching {partition.TopicPartition} at offset {request.Offset}: no answer within {request.MaxWaitMs} ms wait + {_options.RequestTimeout.TotalMilliseconds:0} ms request timeout");
        }
        catch (Exception ex)
        {
            error = ex;
        }

        FetchedRecords? records = null;
        OrleansLogException? corrupt = null;
        long nextOffset = request.Offset;
        if (error is null && result.Error == ErrorCode.None)
        {
            // The batches before a corrupt one are delivered; the partition halts only once the corrupt batch
            // is the first of a fetch. Kafka calls CorruptMessage retriable because a produce may have been
            // damaged in transit; a stored batch that fails its CRC fails again on every fetch, so the
            // application must decide.
            records = Parse(result, request.Offset, out nextOffset, out CorruptBatch? bad);
            if (bad is not null && records is null && nextOffset == request.Offset)
            {
                corrupt = bad.ToException(partition.TopicPartition);
            }
        }
        else
        {
            result.Records.Dispose();
        }

        TaskCompletionSource? waiter = null;
        lock (_gate)
        {
            partition.FetchInFlight = false;
            partition.FetchCancellation = null;
            if (!_disposed && partition.Epoch == epoch)
            {
                if (corrupt is not null)
                {
                    HaltLocked(partition, corrupt);
                }
                else if (error is not null)
                {
                    FailLocked(partition, error);
                }
                else
                {
                    switch (result.Error)
                    {
                        case ErrorCode.None:
                            partition.HighWatermark = result.HighWatermark;
                            partition.FetchOffset = nextOffset;
                            if (records is not null)
                            {
                                partition.Buffered.Enqueue(records);
                                records = null;
                            }

                            break;
                        case ErrorCode.OffsetOutOfRange:
                            LogOffsetOutOfRange(_logger, partition.TopicPartition.Topic, partition.TopicPartition.Partition, request.Offset, result.LogStartOffset, result.HighWatermark, _options.AutoOffsetReset);
                            ResetLocked(partition, $"offset {request.Offset} is out of range for {partition.TopicPartition} (log start offset {result.LogStartOffset}, high watermark {result.HighWatermark})");
                            break;
                        default:
                            FailLocked(partition, new OrleansLogException(result.Error, result.Message ?? $"Fetching {partition.TopicPartition} at offset {request.Offset} failed with {result.Error}."));
                            break;
                    }
                }

                waiter = TakeWaiterLocked();
            }
        }

        // A fetch answered after a seek (or with an error) is dropped here.
        records?.ReturnBytes();
        waiter?.TrySetResult();
        Pump();
    }

    /// <summary>Retries transient failures after the backoff; halts the partition on anything else.</summary>
    private void FailLocked(AssignedPartition partition, Exception error)
    {
        if (error is OperationCanceledException)
        {
            return;
        }

        if (TransientFailure.IsTransient(error))
        {
            LogFetchRetry(_logger, error, partition.TopicPartition.Topic, partition.TopicPartition.Partition);
            partition.RetryAtMs = _clock.NowMs + (long)_options.RetryBackoff.TotalMilliseconds;
            return;
        }

        HaltLocked(partition, error);
    }

    private void HaltLocked(AssignedPartition partition, Exception error)
    {
        LogPartitionHalted(_logger, error, partition.TopicPartition.Topic, partition.TopicPartition.Partition);
        partition.Halted = true;
        partition.Error = error;
        _mayHaveErrors = true;
    }

    private TaskCompletionSource? TakeWaiterLocked()
    {
        TaskCompletionSource? waiter = _waiter;
        _waiter = null;
        return waiter;
    }

    /// <summary>
    /// Copies the fetched batches into one pooled array, disposes the <see cref="PooledBuffer"/> whatever
    /// happens, and checks every batch. Returns null when the fetch held no record at or above
    /// <paramref name="fromOffset"/>; otherwise the caller owns the array inside the result.
    /// </summary>
    private FetchedRecords? Parse(FetchResult result, long fromOffset, out long nextOffset, out CorruptBatch? corrupt)
    {
        PooledBuffer buffer = result.Records;
        byte[]? contiguous = null;
        try
        {
            int length = buffer.Length;
            nextOffset = fromOffset;
            corrupt = null;
            FetchedRecords? fetched = null;
            if (length > 0)
            {
                // A buffer that crossed the wire arrives in many small segments; batches are read from one
                // contiguous copy (one memcpy per fetch), which is also what a ConsumedBatch leases.
                contiguous = ArrayPool<byte>.Shared.Rent(length);
                buffer.CopyTo(contiguous.AsSpan(0, length));
                FetchScan scan = FetchParser.Scan(contiguous.AsMemory(0, length), fromOffset, _options.CheckCrcs, new RecordBatchReader());
                nextOffset = scan.NextOffset;
                corrupt = scan.Corrupt;
                if (scan.Count > 0)
                {
                    fetched = new FetchedRecords(contiguous, scan.ValidLength, fromOffset, scan.LastOffset, scan.Count);
                    contiguous = null;
                }

                if (corrupt is not null)
                {
                    // Whatever the leader said comes next, the next fetch starts at the corrupt batch.
                    return fetched;
                }
            }

            if (result.NextOffset > nextOffset)
            {
                nextOffset = result.NextOffset;
            }

            return fetched;
        }
        finally
        {
            buffer.Dispose();
            if (contiguous is not null)
            {
                ArrayPool<byte>.Shared.Return(contiguous);
            }
        }
    }
}
