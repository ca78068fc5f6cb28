using System.Buffers;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// One fetch waiting to be handed out: its batches in a contiguous array rented from
/// <see cref="ArrayPool{T}.Shared"/>, already checked by <see cref="FetchParser.Scan"/> (CRC, framing and
/// every record), and the offsets and count of the records at or above <see cref="FromOffset"/>.
/// </summary>
/// <remarks>
/// <see cref="ConsumedBatch"/> takes the array over whole (<see cref="TakeBytes"/>), so the batch path
/// copies nothing. The per-record path copies the records into <see cref="ConsumeResult"/>s on first use
/// (<see cref="Materialize"/>) and keeps the bytes until the last one is handed out, so that a
/// <c>ConsumeBatchAsync</c> after some <c>ConsumeAsync</c> calls can still lease the rest. Not
/// thread-safe: the consumer's lock guards it. The array goes back to the pool exactly once: by
/// <see cref="ReturnBytes"/> (drained or discarded) or by the lease that took it.
/// </remarks>
internal sealed class FetchedRecords(byte[] bytes, int length, long fromOffset, long lastOffset, int count)
{
    private byte[]? _bytes = bytes;

    /// <summary>The first offset to hand out; records of the first batch below it are skipped.</summary>
    public long FromOffset { get; } = fromOffset;

    /// <summary>The offset of the last data record in the fetch.</summary>
    public long LastOffset { get; } = lastOffset;

    /// <summary>Data records at or above <see cref="FromOffset"/>; at least 1.</summary>
    public int Count { get; } = count;

    /// <summary>The copied records, once the per-record path asked for them.</summary>
    public List<ConsumeResult>? Records { get; private set; }

    /// <summary>How many records the application has taken.</summary>
    public int Next { get; set; }

    /// <summary>Copies the records into <see cref="ConsumeResult"/>s; idempotent.</summary>
    public List<ConsumeResult> Materialize(TopicPartition topicPartition, RecordBatchReader reader)
    {
        if (Records is null)
        {
            var records = new List<ConsumeResult>(Count);
            // Scan already verified the CRCs; checking them again would only cost time.
            FetchParser.Parse(_bytes.AsMemory(0, length), topicPartition, FromOffset, verifyCrc: false, reader, records);
            Records = records;
        }

        return Records;
    }

    /// <summary>Hands the array to a lease, which returns it to the pool; this object forgets it.</summary>
    public (byte[] Bytes, int Length) TakeBytes()
    {
        byte[] taken = _bytes ?? throw new InvalidOperationException("The fetched bytes were already returned or taken.");
        _bytes = null;
        return (taken, length);
    }

    /// <summary>Returns the array to the pool unless a lease took it; idempotent.</summary>
    public void ReturnBytes()
    {
        if (_bytes is { } returned)
        {
            _bytes = null;
            ArrayPool<byte>.Shared.Return(returned);
        }
    }
}
