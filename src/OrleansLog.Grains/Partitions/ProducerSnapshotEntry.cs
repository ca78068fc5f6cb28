namespace OrleansLog.Grains.Partitions;

/// <summary>One idempotent producer's state in a producer-state snapshot: its epoch, last sequence and retained batches.</summary>
internal sealed record ProducerSnapshotEntry(long ProducerId, short Epoch, int LastSequence, IReadOnlyList<ProducerBatch> Batches);
