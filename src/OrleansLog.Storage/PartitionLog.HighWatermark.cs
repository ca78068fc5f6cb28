namespace OrleansLog.Storage;

/// <summary>
/// The high watermark checkpoint (Kafka's <c>replication-offset-checkpoint</c>): replication writes the
/// HW it knows every few seconds, and a replica that restarts, or becomes leader before it has fetched,
/// starts from it instead of from 0. The log itself never moves the HW; it only keeps the value.
/// </summary>
public sealed partial class PartitionLog
{
    private readonly Lock _highWatermarkLock = new();
    private long _checkpointedHighWatermark;

    /// <summary>
    /// The last checkpointed high watermark, within [<see cref="LogStartOffset"/>, <see cref="LogEndOffset"/>]
    /// (after a truncation the file may name an offset past the log end); the log start offset when none
    /// was written.
    /// </summary>
    public long CheckpointedHighWatermark =>
        Math.Clamp(Volatile.Read(ref _checkpointedHighWatermark), LogStartOffset, LogEndOffset);

    /// <summary>
    /// Records <paramref name="highWatermark"/> if it differs from the last one written. The file is
    /// replaced by a rename but not fsynced: after a crash it holds the old value, the new one, or reads as
    /// missing, and each is a high watermark this replica once had, or nothing. Safe from any thread.
    /// </summary>
    public void CheckpointHighWatermark(long highWatermark)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(highWatermark);
        lock (_highWatermarkLock)
        {
            if (_closed || highWatermark == Volatile.Read(ref _checkpointedHighWatermark))
            {
                return;
            }

            AtomicFile.WriteAllText(
                _fileSystem, Path.Combine(_directory, LogFileNames.HighWatermarkCheckpoint), OffsetCheckpointFile.Format(_topic, _partition, highWatermark), durable: false);
            Volatile.Write(ref _checkpointedHighWatermark, highWatermark);
        }
    }

    /// <summary>
    /// After a truncation the checkpoint may name an offset past the new log end; records appended there
    /// later are other records, which that high watermark never covered, so it comes down to the cut.
    /// </summary>
    private void LowerHighWatermarkCheckpoint(long logEndOffset)
    {
        if (Volatile.Read(ref _checkpointedHighWatermark) > logEndOffset)
        {
            CheckpointHighWatermark(logEndOffset);
        }
    }

    /// <summary>Reads the checkpoint while the log opens; a missing or malformed file counts as none.</summary>
    private void LoadHighWatermarkCheckpoint() =>
        _checkpointedHighWatermark = OffsetCheckpointFile.Read(
            _fileSystem, Path.Combine(_directory, LogFileNames.HighWatermarkCheckpoint), out _) ?? 0;
}
