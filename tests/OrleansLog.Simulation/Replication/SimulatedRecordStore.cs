using OrleansLog.Grains.Replication;

namespace OrleansLog.Simulation.Replication;

/// <summary>How one write to the replication record store ended.</summary>
internal enum StoreWriteOutcome
{
    Written,

    /// <summary>The ETag did not match: someone else wrote first (Orleans' InconsistentStateException).</summary>
    Conflict,

    /// <summary>The store failed before the write landed.</summary>
    Failed,

    /// <summary>The write landed, but the caller was told it failed (a timeout after the commit).</summary>
    Ambiguous,
}

/// <summary>
/// The partition's replication record in grain storage (PostgreSQL in a cluster), with its ETag: a write
/// names the version it read and fails if another write came first. Faults: a write may fail before it
/// lands, or land and still be reported failed.
/// </summary>
internal sealed class SimulatedRecordStore(PartitionReplicationState initial)
{
    private PartitionReplicationState _record = initial;

    public long Version { get; private set; }

    public PartitionReplicationState Read() => _record.Copy();

    public StoreWriteOutcome Write(long expectedVersion, PartitionReplicationState next, StoreWriteOutcome fault)
    {
        if (expectedVersion != Version)
        {
            return StoreWriteOutcome.Conflict;
        }

        if (fault == StoreWriteOutcome.Failed)
        {
            return StoreWriteOutcome.Failed;
        }

        _record = next.Copy();
        Version++;
        return fault == StoreWriteOutcome.Ambiguous ? StoreWriteOutcome.Ambiguous : StoreWriteOutcome.Written;
    }
}
