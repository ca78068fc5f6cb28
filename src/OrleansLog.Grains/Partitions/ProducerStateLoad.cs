namespace OrleansLog.Grains.Partitions;

/// <summary>How a partition's producer state was loaded.</summary>
/// <param name="SnapshotOffset">The snapshot it started from, or -1 when it scanned the log from its start.</param>
/// <param name="BatchesReplayed">Batch headers read after the snapshot (or from the log start).</param>
internal readonly record struct ProducerStateLoad(long SnapshotOffset, int BatchesReplayed);
