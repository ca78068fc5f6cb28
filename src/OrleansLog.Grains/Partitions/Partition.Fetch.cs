using System.Buffers;
using Orleans.Serialization.Buffers;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>What consumers and admins read from the leader: fetch (long-poll), offsets, deleting records.</summary>
internal sealed partial class Partition
{
    /// <summary>
    /// A consumer fetch: whole batches from the request's offset below the high watermark, waiting (up to
    /// the request's and the node's limits) until at least minBytes are there. The caller owns the records.
    /// </summary>
    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        if (NotLeading() is { } refused)
        {
            return FetchResult.Failure(refused.Error, refused.Message);
        }

        if (request.MaxBytes <= 0 || request.MinBytes < 0 || request.MaxWaitMs < 0)
        {
            return FetchResult.Failure(
                ErrorCode.InvalidRequest,
                $"{Id}: fetch needs maxBytes > 0, minBytes >= 0 and maxWaitMs >= 0, got {request.MaxBytes}, {request.MinBytes}, {request.MaxWaitMs}");
        }

        int maxBytes = Math.Min(request.MaxBytes, _settings.MaxFetchBytes);
        long waitMs = Math.Min(request.MaxWaitMs, (long)_settings.MaxFetchWait.TotalMilliseconds);
        long deadline = DeadlineAfter(TimeSpan.FromMilliseconds(waitMs));
        while (true)
        {
            if (NotLeading() is { } gone)
            {
                return FetchResult.Failure(gone.Error, gone.Message);
            }

            // Arm the wake-up before reading so an append between the read and the wait is not missed.
            Task dataArrived = DataArrived;
            FetchResult result;
            lock (_lock)
            {
                result = Role == PartitionRole.Leader
                    ? Read(request.Offset, maxBytes)
                    : FetchResult.Failure(ErrorCode.NotLeaderOrFollower, $"{Id}: this node's copy stopped leading; retry");
            }

            bool enough = result.Error != ErrorCode.None || result.Records.Length >= Math.Max(1, request.MinBytes);
            if (enough || _time.GetTimestamp() >= deadline || cancellationToken.IsCancellationRequested)
            {
                return result;
            }

            result.Records.Dispose();
            await WaitForDataAsync(dataArrived, Remaining(deadline), cancellationToken);
        }
    }

    /// <summary>Kafka ListOffsets: earliest, latest (the high watermark) or the first offset at or after a time.</summary>
    public ListOffsetsResult ListOffsets(long timestamp)
    {
        lock (_lock)
        {
            return ListOffsetsCore(timestamp);
        }
    }

    private ListOffsetsResult ListOffsetsCore(long timestamp) => timestamp switch
    {
        OffsetSpec.Earliest => new ListOffsetsResult(ErrorCode.None, Log.LogStartOffset, -1, null),
        OffsetSpec.Latest => new ListOffsetsResult(ErrorCode.None, HighWatermark, -1, null),
        < 0 => new ListOffsetsResult(ErrorCode.InvalidRequest, -1, -1, $"{Id}: timestamp {timestamp} is neither -1 (latest), -2 (earliest) nor a time in ms"),
        _ => FindOffset(timestamp),
    };

    /// <summary>Kafka DeleteRecords: moves the log start to <paramref name="offset"/> (-1: the high watermark), never past the high watermark.</summary>
    public AdminResult DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            return DeleteRecordsBeforeCore(offset);
        }
    }

    private AdminResult DeleteRecordsBeforeCore(long offset)
    {
        if (NotLeading() is { } refused)
        {
            return AdminResult.Failure(refused.Error, refused.Message);
        }

        long highWatermark = HighWatermark;
        long target = offset == OffsetSpec.Latest ? highWatermark : offset;
        if (target < 0 || target > highWatermark)
        {
            return AdminResult.Failure(
                ErrorCode.OffsetOutOfRange,
                $"{Id}: cannot delete records before offset {offset}; it must be between {Log.LogStartOffset} and the high watermark {highWatermark}");
        }

        try
        {
            Log.DeleteRecordsBefore(target);
        }
        catch (KafkaStorageException ex)
        {
            return AdminResult.Failure(ErrorCode.KafkaStorageError, $"{Id}: {ex.Message}");
        }

        return AdminResult.Ok;
    }

    private FetchResult Read(long offset, int maxBytes)
    {
        long highWatermark = HighWatermark;
        if (!TryReadBatches(offset, maxBytes, highWatermark, out LogReadResult read, out PooledBuffer records, out ErrorCode error, out string? message))
        {
            return FetchResult.Failure(error, message!, Log.LogStartOffset, highWatermark);
        }

        return new FetchResult
        {
            Error = ErrorCode.None,
            HighWatermark = highWatermark,
            LogStartOffset = Log.LogStartOffset,
            LogEndOffset = Log.LogEndOffset,
            Records = records,
            NextOffset = read.BytesWritten > 0 ? read.NextOffset : offset,
        };
    }

    /// <summary>
    /// Copies whole batches from <paramref name="offset"/> below <paramref name="maxOffset"/> into a pooled
    /// buffer the caller owns; on failure the buffer is already released and the error names the partition.
    /// </summary>
    private bool TryReadBatches(
        long offset, int maxBytes, long maxOffset,
        out LogReadResult read, out PooledBuffer records, out ErrorCode error, out string? message)
    {
        IBufferWriter<byte> writer = new PooledBuffer();
        try
        {
            read = Log.Read(offset, maxBytes, maxOffset, writer);
        }
        catch (KafkaStorageException ex)
        {
            ((PooledBuffer)writer).Dispose();
            (read, records, error, message) = (default, default, ErrorCode.KafkaStorageError, $"{Id}: {ex.Message}");
            return false;
        }

        // PooledBuffer is a struct: the log wrote into the boxed copy, so take that one back.
        records = (PooledBuffer)writer;
        if (read.ErrorCode != ErrorCode.None)
        {
            records.Dispose();
            (records, error, message) = (default, read.ErrorCode, read.ErrorMessage ?? $"{Id}: read at offset {offset} failed");
            return false;
        }

        (error, message) = (ErrorCode.None, null);
        return true;
    }

    private ListOffsetsResult FindOffset(long timestamp)
    {
        TimestampOffset? found = Log.OffsetForTimestamp(timestamp);
        return found is { } hit && hit.Offset < HighWatermark
            ? new ListOffsetsResult(ErrorCode.None, hit.Offset, hit.Timestamp, null)
            : new ListOffsetsResult(ErrorCode.None, -1, -1, null);
    }
}
