namespace OrleansLog.Grains.Partitions;

/// <summary>How a write of the replication record with its ETag ended.</summary>
internal enum RecordWrite
{
    /// <summary>The record is what was written.</summary>
    Written,

    /// <summary>Another write came first (ETag mismatch); the record was read back.</summary>
    Conflict,

    /// <summary>The store failed: the write may or may not have landed.</summary>
    Unknown,

    /// <summary>Another write came first and the record could not be read back: who won is unknown.</summary>
    ConflictUnread,
}
