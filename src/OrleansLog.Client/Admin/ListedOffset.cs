namespace OrleansLog.Client;

/// <summary>
/// One answer to ListOffsets: the offset found for the partition, and the timestamp of the record there
/// when the query was by timestamp (-1 otherwise). Offset -1 means no record is that new.
/// </summary>
public readonly record struct ListedOffset(TopicPartition TopicPartition, long Offset, long Timestamp);
