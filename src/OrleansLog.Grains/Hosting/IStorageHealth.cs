namespace OrleansLog.Grains.Hosting;

/// <summary>
/// What this node's storage tells a health endpoint: the partition logs that failed here (a write or fsync
/// error: a full or failing disk), each with why. They are offline on this node until reopened — their
/// leadership moved to another in-sync replica — so a failed log is a warning, not a reason to restart the silo.
/// </summary>
public interface IStorageHealth
{
    /// <summary>Failed logs and why; empty when every log is usable.</summary>
    IReadOnlyDictionary<TopicPartition, string> FailedLogs { get; }
}
