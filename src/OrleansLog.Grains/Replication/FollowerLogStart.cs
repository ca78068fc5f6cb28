using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// A follower that started over at the leader's log start (after OffsetOutOfRange) has an empty log at that
/// offset; when the leader's log start lies inside a batch (DeleteRecords to a non-boundary offset), the
/// leader's first fetched batch begins below it, and an append at the follower's log end would refuse its
/// base offset forever. Kafka's follower then starts its log over at the batch's base offset and keeps the
/// leader's log start (<c>Partition.appendRecordsToFollowerOrFutureReplica</c> on
/// <c>UnexpectedAppendOffsetException</c>); so does this.
/// </summary>
public static class FollowerLogStart
{
    /// <summary>
    /// Re-bases an empty <paramref name="log"/> at the first batch of <paramref name="fetched"/> when that batch
    /// starts below the log end and reaches it. Returns whether it did. Owner only, like appends.
    /// </summary>
    public static bool AlignToFirstBatch(PartitionLog log, ReadOnlySpan<byte> fetched)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (fetched.Length < RecordBatchLayout.HeaderSize || log.LogEndOffset != log.LogStartOffset)
        {
            return false;
        }

        RecordBatchHeader first = RecordBatchHeader.Read(fetched);
        if (first.BaseOffset >= log.LogEndOffset || first.LastOffset < log.LogEndOffset)
        {
            return false;
        }

        log.TruncateFullyAndStartAt(first.BaseOffset);
        return true;
    }
}
