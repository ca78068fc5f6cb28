namespace OrleansLog.Storage;

/// <summary>
/// When a <see cref="PartitionLog"/> forces its appended bytes to stable storage (fsync). Kafka's default
/// is never: durability comes from replication and the OS page cache (Kafka <c>flush.messages</c> doc:
/// "we recommend you not set this and use replication for durability").
/// </summary>
public enum FlushPolicy
{
    /// <summary>
    /// Appends are acknowledged once their bytes are in the page cache. The log still fsyncs closed
    /// segments after each roll (as Kafka does) and everything on <see cref="PartitionLog.FlushAsync"/>
    /// and <see cref="PartitionLog.Close"/>.
    /// </summary>
    None = 0,

    /// <summary>
    /// Like <see cref="None"/>, plus the <see cref="CommitScheduler"/> flushes the log every
    /// <see cref="PartitionLogOptions.FlushIntervalMs"/> and advances the recovery point.
    /// </summary>
    Interval = 1,

    /// <summary>
    /// An append is acknowledged only after its bytes are fsynced. The fsyncs are group-committed by the
    /// <see cref="CommitScheduler"/>: every append waiting when a round starts shares that round's fsync.
    /// </summary>
    Always = 2,
}
