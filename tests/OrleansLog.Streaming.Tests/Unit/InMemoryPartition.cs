using Orleans.Runtime;
using Orleans.Serialization.Buffers;
using OrleansLog.Grains;
using OrleansLog.Records;

namespace OrleansLog.Streaming.Tests.Unit;

/// <summary>
/// A partition log in memory behind <see cref="IPartitionGrain"/>: stamped record batches, fetch from the batch
/// holding the offset up to max bytes (at least one batch), OffsetOutOfRange outside [log start, log end], and
/// DeleteRecords. Answers synchronously, so what the cursor under test does is deterministic.
/// </summary>
internal sealed class InMemoryPartition(TopicPartition topicPartition) : IPartitionGrain
{
    private readonly List<(long BaseOffset, long LastOffset, byte[] Bytes)> _batches = [];

    public long LogStartOffset { get; private set; }

    public long LogEndOffset => _batches.Count == 0 ? LogStartOffset : _batches[^1].LastOffset + 1;

    public int Fetches { get; private set; }

    /// <summary>Appends a producer's batch: stamps its base offset, returns the stored bytes.</summary>
    public byte[] Append(byte[] batch)
    {
        long baseOffset = LogEndOffset;
        RecordBatchHeader.WriteBaseOffset(batch, baseOffset);
        RecordBatchHeader header = RecordBatchHeader.Read(batch);
        _batches.Add((baseOffset, header.LastOffset, batch));
        return batch;
    }

    public Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        Fetches++;
        if (request.Offset < LogStartOffset || request.Offset > LogEndOffset)
        {
            return Task.FromResult(FetchResult.Failure(
                ErrorCode.OffsetOutOfRange, $"offset {request.Offset} is outside {topicPartition} [{LogStartOffset}, {LogEndOffset}]", LogStartOffset, LogEndOffset));
        }

        var records = new PooledBuffer();
        long next = request.Offset;
        foreach (var batch in _batches)
        {
            if (batch.LastOffset < request.Offset)
            {
                continue;
            }

            if (records.Length > 0 && records.Length + batch.Bytes.Length > request.MaxBytes)
            {
                break;
            }

            records.Write(batch.Bytes);
            next = batch.LastOffset + 1;
        }

        return Task.FromResult(new FetchResult
        {
            HighWatermark = LogEndOffset,
            LogStartOffset = LogStartOffset,
            LogEndOffset = LogEndOffset,
            Records = records,
            NextOffset = next,
        });
    }

    public Task<AdminResult> DeleteRecordsBeforeAsync(long offset, CancellationToken cancellationToken = default)
    {
        LogStartOffset = offset;
        _batches.RemoveAll(b => b.LastOffset < offset);
        return Task.FromResult(AdminResult.Ok);
    }

    public Task<AppendResult> AppendAsync(RecordBatchPayload batch, Acks acks, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<ListOffsetsResult> ListOffsetsAsync(long timestamp, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<PartitionDescription> DescribeAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<ReplicaFetchResult> ReplicaFetchAsync(ReplicaFetchRequest request, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<EpochEndOffsetResult> OffsetForLeaderEpochAsync(string nodeId, int currentLeaderEpoch, int requestedEpoch, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task<AdminResult> ReassignAsync(IReadOnlyList<string> replicas, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task ApplyConfigAsync(TopicConfig config, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task DeletePartitionAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

}
