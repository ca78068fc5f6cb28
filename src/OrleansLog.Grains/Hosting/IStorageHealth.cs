namespace OrleansLog.Grains.Hosting;

/// <summary>
/// What this node's storage tells a health endpoint: the partition logs that failed here (a write or fsync
/// error: a full or failing disk), each with why, until a write succeeds on it again. A failed log is closed,
/// its leadership moves to another in-sync replica when there is one, and the next call to the partition on
/// this node reopens it (recovering it from disk): a warning, not a reason to restart the silo.
/// </summary>
public interface IStorageHealth
{
    /// <summary>Failed logs and why; empty when every log is usable.</summary>
    IReadOnlyDictionary<TopicPartition, string> FailedLogs { get; }
}
