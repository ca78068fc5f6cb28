using System.Buffers;
using OrleansLog.Grains.Replication;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// The follower's side: what the replica on this node copied from the leader goes into the log here, with
/// the producer state kept up to date as Kafka's followers do, so this copy can take office without
/// replaying its log.
/// </summary>
internal sealed partial class Partition
{
    /// <summary>
    /// Appends a successful replica fetch's batches (checking each CRC first: a batch damaged on the way
    /// never reaches the disk), follows the leader's log start, and takes the leader's high watermark
    /// (never above this log's end). Nothing is touched once this copy stopped following.
    /// </summary>
    /// <exception cref="CorruptReplicaBatchException">A batch's CRC does not match; nothing was appended.</exception>
    public async Task AppendFetchedAsync(ReplicaFetchResult result, CancellationToken cancellationToken)
    {
        if (Role != PartitionRole.Follower)
        {
            return;
        }

        int length = result.Records.Length;
        if (length > 0)
        {
            ValueTask<LogAppendInfo> durable;
            // A pooled copy: fetches of up to a megabyte each would otherwise land on the large-object heap.
            byte[] rented = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                Memory<byte> batches = rented.AsMemory(0, length);
                result.Records.CopyTo(batches.Span);
                CheckFrames(batches.Span);
                lock (_lock)
                {
                    if (Role != PartitionRole.Follower)
                    {
                        return;
                    }

                    long logStart = Log.LogStartOffset;
                    if (FollowerLogStart.AlignToFirstBatch(Log, batches.Span))
                    {
                        _producers.Clear();
                        ProducerStateSnapshot.DeleteAll(Log.FileSystem, Log.Directory);
                        LogStartedOver(_logger, Id.ToString(), logStart, Log.LogStartOffset);
                    }

                    durable = Log.AppendAsFollowerAsync(batches, cancellationToken);
                    ReplayProducers(batches.Span);
                    SnapshotIfRolled(asOf: Log.LogEndOffset);
                }

                await durable;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        lock (_lock)
        {
            if (Role != PartitionRole.Follower)
            {
                // The fsync was awaited: the log may be the new leader's now.
                return;
            }

            if (result.LogStartOffset > Log.LogStartOffset)
            {
                // Follow the leader's retention and DeleteRecords, so the log start offset is the same everywhere.
                Log.DeleteRecordsBefore(Math.Min(result.LogStartOffset, Log.LogEndOffset));
            }

            _highWatermark = Math.Min(result.HighWatermark, Log.LogEndOffset);
            CheckpointHighWatermarkIfDue();
        }
    }

    /// <summary>
    /// Cuts this copy's log back to <paramref name="offset"/> (a divergence found by leader epoch, or a log
    /// ahead of its leader): the high watermark follows, snapshots above the cut go, and the producer state
    /// is reloaded from what is left. Nothing happens once this copy stopped following.
    /// </summary>
    public void TruncateTo(long offset)
    {
        lock (_lock)
        {
            if (Role != PartitionRole.Follower)
            {
                return;
            }

            long target = Math.Max(offset, Log.LogStartOffset);
            if (target >= Log.LogEndOffset)
            {
                return;
            }

            // Snapshots first (durably), then the log: a power cut in between leaves a longer log and fewer
            // snapshots, which replay correctly; the other order could bring back a snapshot of cut records.
            ProducerStateSnapshot.DeleteAbove(Log.FileSystem, Log.Directory, target);
            Log.TruncateTo(target);
            if (Log.LogEndOffset < target)
            {
                // The cut fell inside a batch and took all of it.
                ProducerStateSnapshot.DeleteAbove(Log.FileSystem, Log.Directory, Log.LogEndOffset);
            }

            _highWatermark = Math.Min(_highWatermark, Log.LogEndOffset);
            ProducerStateLoad = LoadProducerState();
        }
    }

    /// <summary>Empties this copy's log and restarts it at the leader's log start (the follower fell behind retention); only while following.</summary>
    public void StartOverAt(long offset)
    {
        lock (_lock)
        {
            if (Role != PartitionRole.Follower)
            {
                return;
            }

            ProducerStateSnapshot.DeleteAll(Log.FileSystem, Log.Directory);
            Log.TruncateFullyAndStartAt(offset);
            _highWatermark = Math.Min(_highWatermark, Log.LogEndOffset);
            _producers.Clear();
            _snapshotSegment = Log.ActiveSegmentBaseOffset;
        }
    }

    private void ReplayProducers(ReadOnlySpan<byte> batches)
    {
        var frames = new RecordBatchFrames(batches, verifyCrc: false);
        while (frames.MoveNext())
        {
            _producers.Replay(frames.Header);
        }
    }

    /// <summary>Every batch from the leader must be framed right and match its CRC before any of it is appended.</summary>
    private void CheckFrames(ReadOnlySpan<byte> batches)
    {
        var frames = new RecordBatchFrames(batches, verifyCrc: true);
        while (frames.MoveNext())
        {
        }

        if (frames.Status != BatchFrameStatus.EndOfData)
        {
            throw new CorruptReplicaBatchException($"{Id}: a batch from the leader at byte {frames.Position} of the fetch is damaged: {frames.Detail}");
        }
    }
}
