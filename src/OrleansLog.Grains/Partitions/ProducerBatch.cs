namespace OrleansLog.Grains.Partitions;

/// <summary>
/// One retained batch of an idempotent producer: its sequence range, where it landed, and — while its
/// acknowledgement is still pending (fsync) — the task a duplicate waits on to give the same answer.
/// </summary>
internal sealed record ProducerBatch(
    int BaseSequence,
    int LastSequence,
    long BaseOffset,
    long LastOffset,
    long LogAppendTimeMs,
    Task<AppendResult>? Completion);
