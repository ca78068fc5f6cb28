using OrleansLog.Records;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// Idempotent-producer bookkeeping of one partition (Kafka's ProducerStateManager, simplified): per
/// producer id, its current epoch and the sequence ranges and offsets of its last
/// <see cref="BatchesToRetain"/> batches. A batch is checked before it is appended and recorded right after,
/// in the same grain turn, so a retry that arrives while the original waits for its fsync is still
/// recognised as a duplicate. Not thread-safe: the partition grain's turn is the lock.
/// </summary>
internal sealed class ProducerStateTable
{
    /// <summary>Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN; the reason clients cap in-flight requests at 5.</summary>
    public const int BatchesToRetain = 5;

    private readonly Dictionary<long, ProducerEntry> _producers = [];

    public int ProducerCount => _producers.Count;

    /// <summary>Decides what to do with an incoming batch of an idempotent producer.</summary>
    public SequenceCheck Check(in RecordBatchHeader batch)
    {
        if (!batch.HasProducerId)
        {
            return SequenceCheck.Append();
        }

        if (!_producers.TryGetValue(batch.ProducerId, out ProducerEntry? entry))
        {
            // Kafka accepts any first sequence from a producer it has no state for (its state may have
            // been removed by retention); from then on sequences must be contiguous.
            return SequenceCheck.Append();
        }

        if (batch.ProducerEpoch < entry.Epoch)
        {
            return SequenceCheck.Reject(
                ErrorCode.InvalidProducerEpoch,
                $"producer {batch.ProducerId} epoch {batch.ProducerEpoch} is older than the current epoch {entry.Epoch}");
        }

        if (batch.ProducerEpoch > entry.Epoch)
        {
            if (batch.BaseSequence != 0)
            {
                return SequenceCheck.Reject(
                    ErrorCode.OutOfOrderSequenceNumber,
                    $"producer {batch.ProducerId} started epoch {batch.ProducerEpoch} with sequence {batch.BaseSequence}, expected 0");
            }

            return SequenceCheck.Append();
        }

        foreach (ProducerBatch retained in entry.Batches)
        {
            if (retained.BaseSequence == batch.BaseSequence && retained.LastSequence == batch.LastSequence)
            {
                return SequenceCheck.Duplicate(retained);
            }
        }

        int expected = NextSequence(entry.LastSequence);
        if (batch.BaseSequence != expected)
        {
            return SequenceCheck.Reject(
                ErrorCode.OutOfOrderSequenceNumber,
                $"producer {batch.ProducerId} epoch {batch.ProducerEpoch}: sequence expected {expected}, actual {batch.BaseSequence}");
        }

        return SequenceCheck.Append();
    }

    /// <summary>
    /// True when <paramref name="batch"/> continues a known producer's current epoch further ahead than
    /// the next expected sequence: it overtook an earlier batch on the way (Orleans does not keep concurrent
    /// calls in order), so the earlier one is probably still coming.
    /// </summary>
    public bool IsAhead(in RecordBatchHeader batch)
    {
        if (!batch.HasProducerId || !_producers.TryGetValue(batch.ProducerId, out ProducerEntry? entry) || batch.ProducerEpoch != entry.Epoch)
        {
            return false;
        }

        long expected = NextSequence(entry.LastSequence);
        long distance = ((long)batch.BaseSequence - expected + ((long)int.MaxValue + 1)) % ((long)int.MaxValue + 1);
        return distance > 0 && distance < int.MaxValue / 2;
    }

    /// <summary>Records an appended batch. <paramref name="completion"/> completes when its acknowledgement does.</summary>
    public void Record(in RecordBatchHeader batch, long baseOffset, long logAppendTimeMs, Task<AppendResult>? completion)
    {
        if (!batch.HasProducerId)
        {
            return;
        }

        if (!_producers.TryGetValue(batch.ProducerId, out ProducerEntry? entry) || batch.ProducerEpoch > entry.Epoch)
        {
            entry = new ProducerEntry(batch.ProducerEpoch);
            _producers[batch.ProducerId] = entry;
        }

        var retained = new ProducerBatch(
            batch.BaseSequence, batch.LastSequence, baseOffset, baseOffset + batch.LastOffsetDelta, logAppendTimeMs, completion);
        entry.Batches.Enqueue(retained);
        if (entry.Batches.Count > BatchesToRetain)
        {
            entry.Batches.Dequeue();
        }

        entry.LastSequence = batch.LastSequence;
    }

    /// <summary>Rebuilds the state from stored batch headers (recovery), oldest first.</summary>
    public void Replay(in RecordBatchHeader storedBatch) =>
        Record(storedBatch, storedBatch.BaseOffset, storedBatch.MaxTimestamp, completion: null);

    /// <summary>Forgets every producer (the log was emptied, or the state is about to be rebuilt).</summary>
    public void Clear() => _producers.Clear();

    /// <summary>Every producer's epoch and retained batches, for a snapshot; pending answers are not part of it.</summary>
    public IEnumerable<ProducerSnapshotEntry> Export()
    {
        foreach (var (producerId, entry) in _producers)
        {
            yield return new ProducerSnapshotEntry(producerId, entry.Epoch, entry.LastSequence, [.. entry.Batches.Select(b => b with { Completion = null })]);
        }
    }

    /// <summary>Replaces the state with a snapshot's (the batches after the snapshot are replayed next).</summary>
    public void Import(IEnumerable<ProducerSnapshotEntry> entries)
    {
        _producers.Clear();
        foreach (ProducerSnapshotEntry imported in entries)
        {
            var entry = new ProducerEntry(imported.Epoch) { LastSequence = imported.LastSequence };
            foreach (ProducerBatch batch in imported.Batches.TakeLast(BatchesToRetain))
            {
                entry.Batches.Enqueue(batch);
            }

            _producers[imported.ProducerId] = entry;
        }
    }

    private static int NextSequence(int lastSequence) => lastSequence == int.MaxValue ? 0 : lastSequence + 1;

    private sealed class ProducerEntry(short epoch)
    {
        public short Epoch { get; } = epoch;

        public int LastSequence { get; set; } = -1;

        public Queue<ProducerBatch> Batches { get; } = new(BatchesToRetain + 1);
    }
}
