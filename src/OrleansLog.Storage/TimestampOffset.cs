namespace OrleansLog.Storage;

/// <summary>
/// Answer of <see cref="PartitionLog.OffsetForTimestamp"/> (Kafka ListOffsets): the first stored batch
/// whose maxTimestamp is at or after the requested time. Records are opaque to the storage engine, so the
/// offset is that batch's base offset (never below the log start offset) and the timestamp is its
/// maxTimestamp; a consumer that seeks there sees no record it should have seen later.
/// </summary>
public readonly record struct TimestampOffset(long Timestamp, long Offset);
