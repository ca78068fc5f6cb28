using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Storage;

public sealed partial class PartitionLog
{
    private int _indexRebuildRequested;

    /// <summary>
    /// Appends one record batch as the partition leader: checks its framing cheaply (the caller validated
    /// the records), then as <see cref="Append"/>. Owner only.
    /// </summary>
    /// <returns>
    /// Completes synchronously unless <see cref="FlushPolicy.Always"/>; then it completes after the commit
    /// scheduler's fsync covers the batch, or fails with <see cref="KafkaStorageException"/> when that fsync
    /// fails. The token is observed before the write only: once written, the append runs to completion.
    /// </returns>
    /// <exception cref="ArgumentException">The bytes are not exactly one well-framed v2 batch.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="leaderEpoch"/> is older than the latest epoch in the log.</exception>
    /// <exception cref="KafkaStorageException">The log has failed, now or earlier.</exception>
    public ValueTask<LogAppendInfo> AppendAsync(Memory<byte> batch, int leaderEpoch, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long size = CheckFrame(batch.Span, 0);
        if (size != batch.Length)
        {
            throw new ArgumentException(
                $"Append to {Name}: the batch's batchLength says {size} bytes but {batch.Length} were given; AppendAsync takes exactly one batch.",
                nameof(batch));
        }

        return Append(batch, RecordBatchHeader.Read(batch.Span), leaderEpoch).Durable;
    }

    /// <summary>
    /// Appends one record batch as the partition leader, whose <paramref name="header"/> the caller has read
    /// and validated from exactly these bytes (RecordBatchValidator): stamps baseOffset =
    /// <see cref="LogEndOffset"/> and <paramref name="leaderEpoch"/> in place in <paramref name="batch"/>
    /// (both outside the CRC), rolls first when the active segment is full or old, writes the bytes as they
    /// came, and indexes them. Owner only.
    /// </summary>
    /// <returns>
    /// The offsets at once, and the durability separately: <see cref="LogAppend.Durable"/> completes at once
    /// unless <see cref="FlushPolicy.Always"/>, else after the commit scheduler's fsync covers the batch (or
    /// fails with <see cref="KafkaStorageException"/>).
    /// </returns>
    /// <exception cref="InvalidOperationException"><paramref name="leaderEpoch"/> is older than the latest epoch in the log.</exception>
    /// <exception cref="KafkaStorageException">The log has failed, now or earlier.</exception>
    public LogAppend Append(Memory<byte> batch, in RecordBatchHeader header, int leaderEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leaderEpoch);
        LogAppendInfo info;
        EnterOwner();
        try
        {
            ThrowIfFailed("append");
            Span<byte> bytes = batch.Span;
            int latestEpoch = _leaderEpochCache.LatestEpoch;
            if (leaderEpoch < latestEpoch)
            {
                throw new InvalidOperationException(
                    $"Append to {Name} at leader epoch {leaderEpoch} refused: the log already holds epoch {latestEpoch}.");
            }

            long baseOffset = LogEndOffset;
            RecordBatchHeader.WriteBaseOffset(bytes, baseOffset);
            RecordBatchHeader.WritePartitionLeaderEpoch(bytes, leaderEpoch);
            long lastOffset = baseOffset + header.LastOffsetDelta;
            if (latestEpoch != leaderEpoch && _leaderEpochCache.Assign(leaderEpoch, baseOffset))
            {
                Interlocked.Exchange(ref _epochCheckpointDirty, 1);
            }

            info = AppendOne(bytes, baseOffset, lastOffset, header.MaxTimestamp);
        }
        finally
        {
            ExitOwner();
        }

        return new LogAppend(info, Acknowledge(info));
    }

    /// <summary>
    /// Appends batches copied from the leader as a follower: one or more whole batches, back to back, whose
    /// baseOffset and partitionLeaderEpoch are kept. The first must start at <see cref="LogEndOffset"/> and
    /// each next one right after the previous; a batch with a newer epoch starts that epoch in the
    /// leader-epoch cache. Framing is checked here; the records' CRCs are the caller's to check. Owner only.
    /// Completion follows the flush policy as in <see cref="AppendAsync"/>.
    /// </summary>
    public ValueTask<LogAppendInfo> AppendAsFollowerAsync(Memory<byte> batches, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        LogAppendInfo info;
        EnterOwner();
        try
        {
            ThrowIfFailed("append");
            Span<byte> bytes = batches.Span;
            long expected = LogEndOffset;
            long baseOffset = expected;
            long maxTimestamp = -1;
            for (int position = 0; position < bytes.Length;)
            {
                long size = CheckFrame(bytes, position);
                long batchBase = BinaryPrimitives.ReadInt64BigEndian(bytes[position..]);
                if (batchBase != expected)
                {
                    throw new ArgumentException(
                        $"Follower append to {Name}: the batch at byte {position} has baseOffset {batchBase}, expected {expected} (log end offset {LogEndOffset}).",
                        nameof(batches));
                }

                expected = batchBase + BinaryPrimitives.ReadInt32BigEndian(bytes[(position + RecordBatchLayout.LastOffsetDeltaPosition)..]) + 1;
                maxTimestamp = Math.Max(maxTimestamp, BinaryPrimitives.ReadInt64BigEndian(bytes[(position + RecordBatchLayout.MaxTimestampPosition)..]));
                position += (int)size;
            }

            if (bytes.Length == 0)
            {
                throw new ArgumentException($"Follower append to {Name}: no batches given.", nameof(batches));
            }

            for (int position = 0; position < bytes.Length;)
            {
                int epoch = BinaryPrimitives.ReadInt32BigEndian(bytes[(position + RecordBatchLayout.PartitionLeaderEpochPosition)..]);
                if (epoch >= 0 && epoch > _leaderEpochCache.LatestEpoch
                    && _leaderEpochCache.Assign(epoch, BinaryPrimitives.ReadInt64BigEndian(bytes[position..])))
                {
                    Interlocked.Exchange(ref _epochCheckpointDirty, 1);
                }

                position += RecordBatchHeader.ReadBatchLength(bytes[position..]) + RecordBatchLayout.LogOverhead;
            }

            info = AppendCore(bytes, baseOffset, expected - 1, maxTimestamp);
        }
        finally
        {
            ExitOwner();
        }

        return Acknowledge(info);
    }

    /// <summary>Checks the frame at <paramref name="position"/> of an incoming buffer; returns its size.</summary>
    private long CheckFrame(ReadOnlySpan<byte> bytes, int position)
    {
        ReadOnlySpan<byte> rest = bytes[position..];
        BatchFrameStatus status = RecordBatchFraming.CheckHeader(rest, rest.Length, out long size);
        if (status == BatchFrameStatus.Valid && rest.Length < RecordBatchLayout.HeaderSize)
        {
            status = BatchFrameStatus.InvalidLength;
        }

        if (status != BatchFrameStatus.Valid)
        {
            throw new ArgumentException(
                $"Append to {Name}: the batch at byte {position} of {bytes.Length} is not a well-framed RecordBatch v2: " +
                RecordBatchFraming.Describe(status == BatchFrameStatus.EndOfData ? BatchFrameStatus.TruncatedHeader : status, rest, rest.Length, size) + ".",
                nameof(bytes));
        }

        return size;
    }

    private LogAppendInfo AppendCore(ReadOnlySpan<byte> bytes, long baseOffset, long lastOffset, long maxTimestamp)
    {
        LogSegment active = PrepareActiveSegment(bytes.Length, lastOffset, out long now);
        long position = active.Size;
        try
        {
            active.Append(bytes, _options.IndexIntervalBytes, now);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail(ex, $"append of offsets {baseOffset}..{lastOffset} at position {position} of '{active.LogPath}'");
        }

        Volatile.Write(ref _logEndOffset, lastOffset + 1);
        return new LogAppendInfo(baseOffset, lastOffset, now, maxTimestamp, active.BaseOffset, position, bytes.Length);
    }

    private LogAppendInfo AppendOne(ReadOnlySpan<byte> batch, long baseOffset, long lastOffset, long maxTimestamp)
    {
        LogSegment active = PrepareActiveSegment(batch.Length, lastOffset, out long now);
        long position = active.Size;
        try
        {
            active.AppendBatch(batch, lastOffset, maxTimestamp, _options.IndexIntervalBytes, now);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail(ex, $"append of offsets {baseOffset}..{lastOffset} at position {position} of '{active.LogPath}'");
        }

        Volatile.Write(ref _logEndOffset, lastOffset + 1);
        return new LogAppendInfo(baseOffset, lastOffset, now, maxTimestamp, active.BaseOffset, position, batch.Length);
    }

    /// <summary>Rebuilds suspect indexes and rolls when this append needs a new segment; returns the segment to write.</summary>
    private LogSegment PrepareActiveSegment(int incomingBytes, long lastOffset, out long now)
    {
        if (Volatile.Read(ref _indexRebuildRequested) != 0)
        {
            RebuildSuspectIndexes();
        }

        now = NowMs();
        LogSegment active = ActiveSegment;
        string? rollReason = RollReason(active, incomingBytes, lastOffset, now);
        if (rollReason is not null)
        {
            RollCore(rollReason);
            active = ActiveSegment;
        }

        return active;
    }

    /// <summary>Kafka <c>LogSegment.shouldRoll</c>: why the active segment must roll before this append, or null.</summary>
    private string? RollReason(LogSegment active, int incomingBytes, long lastOffset, long nowMs)
    {
        if (active.Size == 0)
        {
            return null;
        }

        if (active.Size + incomingBytes > _options.SegmentBytes)
        {
            return $"segment.bytes: {active.Size} + {incomingBytes} bytes would exceed {_options.SegmentBytes}";
        }

        if (active.RollStartMs >= 0 && nowMs - active.RollStartMs > _options.SegmentMs)
        {
            return $"segment.ms: the segment is {nowMs - active.RollStartMs} ms old, limit {_options.SegmentMs}";
        }

        if (active.OffsetIndex.IsFull || active.TimeIndex.IsFull)
        {
            return $"index full: {active.OffsetIndex.Count} offset and {active.TimeIndex.Count} time entries";
        }

        if (lastOffset - active.BaseOffset > int.MaxValue)
        {
            return $"offset {lastOffset} is beyond int32 relative addressing from {active.BaseOffset}";
        }

        return null;
    }

    private ValueTask<LogAppendInfo> Acknowledge(LogAppendInfo info)
    {
        if (_options.FlushPolicy != FlushPolicy.Always)
        {
            return new ValueTask<LogAppendInfo>(info);
        }

        if (!_waiterPool.TryDequeue(out CommitWaiter? waiter))
        {
            waiter = new CommitWaiter(_returnWaiter);
        }

        waiter.Info = info;
        lock (_waiterLock)
        {
            _appendWaiters.Enqueue(waiter);
        }

        if (!_scheduler.Schedule(this))
        {
            CompleteWaiters(-1, fullFlushDone: false, new ObjectDisposedException(
                nameof(CommitScheduler), $"The append to {Name} was written but cannot be fsynced: the commit scheduler is disposed."));
        }

        return waiter.AsValueTask();
    }
}
