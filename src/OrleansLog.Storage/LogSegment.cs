using System.Buffers;
using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Storage;

/// <summary>
/// One segment of a partition log (Kafka <c>LogSegment</c>): a .log file of record batches plus its sparse
/// <see cref="OffsetIndex"/> and <see cref="TimeIndex"/>.
/// <para><b>Files:</b> <c>{baseOffset:D20}.log</c>, <c>.index</c>, <c>.timeindex</c>; the base offset is the
/// first offset the segment holds. Deleting renames all three to <c>*.deleted</c> first, then deletes.</para>
/// <para><b>Layout of .log:</b> Kafka RecordBatch v2 batches back to back, exactly as they were appended
/// (baseOffset and partitionLeaderEpoch stamped by the log), offsets contiguous from the base offset.
/// Position and size are int32-addressable (segments roll before 2 GiB).</para>
/// <para><b>Crash behaviour:</b> bytes are written to the page cache at <see cref="Size"/>; a crash can leave
/// a torn or garbage tail past the last complete batch, which recovery finds (length, magic, CRC-32C,
/// offsets) and cuts. Index entries are written after the bytes they point to.</para>
/// <para><b>Thread-safety:</b> not thread-safe for writers: the owning <see cref="PartitionLog"/> appends,
/// truncates and deletes from one thread. Readers on other threads read <see cref="Size"/>,
/// <see cref="NextOffset"/> and <see cref="MaxTimestamp"/> (published with <see cref="Volatile"/> after the
/// bytes are written) and the .log at positions below <see cref="Size"/>. <see cref="SyncedSize"/> belongs to
/// the commit scheduler under the log's file lock.</para>
/// </summary>
internal sealed class LogSegment
{
    private long _size;
    private long _nextOffset;
    private long _maxTimestamp = -1;
    private long _trackedMaxTimestamp = -1;
    private long _offsetOfMaxTimestamp;
    private int _indexSuspect;

    private LogSegment(string directory, long baseOffset, ILogFile log, OffsetIndex offsetIndex, TimeIndex timeIndex)
    {
        Directory = directory;
        BaseOffset = baseOffset;
        Log = log;
        OffsetIndex = offsetIndex;
        TimeIndex = timeIndex;
        _nextOffset = baseOffset;
        _offsetOfMaxTimestamp = baseOffset;
    }

    public string Directory { get; }

    public long BaseOffset { get; }

    public ILogFile Log { get; }

    public OffsetIndex OffsetIndex { get; }

    public TimeIndex TimeIndex { get; }

    /// <summary>Bytes of whole batches in the .log; readers may read below this.</summary>
    public long Size => Volatile.Read(ref _size);

    /// <summary>The offset after the segment's last batch; <see cref="BaseOffset"/> when empty.</summary>
    public long NextOffset => Volatile.Read(ref _nextOffset);

    /// <summary>Largest batch maxTimestamp in the segment, -1 when empty (retention and ListOffsets use it).</summary>
    public long MaxTimestamp => Volatile.Read(ref _maxTimestamp);

    /// <summary>Bytes appended since the last index entry (owner only).</summary>
    public long BytesSinceLastIndexEntry { get; set; }

    /// <summary>When the first batch went into this segment (Unix ms), -1 while empty; segment.ms counts from here.</summary>
    public long RollStartMs { get; set; } = -1;

    /// <summary>Bytes known to be fsynced (commit scheduler, under the log's file lock).</summary>
    public long SyncedSize { get; set; }

    /// <summary>Whether the index files were fsynced after the segment became inactive (commit scheduler).</summary>
    public bool IndexesSynced { get; set; }

    /// <summary>Set when the segment stopped being active; its indexes are then complete on disk.</summary>
    public bool IsInactive { get; set; }

    /// <summary>True when a reader found an index entry that does not match the log; reads then scan the segment.</summary>
    public bool IsIndexSuspect => Volatile.Read(ref _indexSuspect) != 0;

    public string LogPath => Log.Path;

    /// <summary>Creates the three files of a new, empty segment.</summary>
    public static LogSegment Create(ILogFileSystem fileSystem, string directory, long baseOffset, PartitionLogOptions options)
    {
        ILogFile log = fileSystem.OpenFile(LogFileNames.LogFile(directory, baseOffset), FileMode.CreateNew);
        OffsetIndex? offsetIndex = null;
        try
        {
            offsetIndex = OffsetIndex.CreateEmpty(
                fileSystem, LogFileNames.IndexFile(directory, baseOffset), baseOffset, options.MaxIndexBytes / OffsetIndex.EntrySize);
            TimeIndex timeIndex = TimeIndex.CreateEmpty(
                fileSystem, LogFileNames.TimeIndexFile(directory, baseOffset), baseOffset, options.MaxIndexBytes / TimeIndex.EntrySize);
            return new LogSegment(directory, baseOffset, log, offsetIndex, timeIndex);
        }
        catch
        {
            offsetIndex?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing segment and loads its indexes, checking them against the .log's size and (when
    /// known, ≥ 0) the segment's end offset. A problem empties that index and is reported for rebuilding.
    /// </summary>
    public static LogSegment Open(
        ILogFileSystem fileSystem,
        string directory,
        long baseOffset,
        PartitionLogOptions options,
        long endOffsetExclusive,
        out string? offsetIndexProblem,
        out string? timeIndexProblem)
    {
        ILogFile log = fileSystem.OpenFile(LogFileNames.LogFile(directory, baseOffset), FileMode.Open);
        OffsetIndex? offsetIndex = null;
        try
        {
            long size = log.Length;
            offsetIndex = OffsetIndex.Load(
                fileSystem, LogFileNames.IndexFile(directory, baseOffset), baseOffset,
                options.MaxIndexBytes / OffsetIndex.EntrySize, size, endOffsetExclusive, out offsetIndexProblem);
            TimeIndex timeIndex = TimeIndex.Load(
                fileSystem, LogFileNames.TimeIndexFile(directory, baseOffset), baseOffset,
                options.MaxIndexBytes / TimeIndex.EntrySize, endOffsetExclusive, out timeIndexProblem);
            var segment = new LogSegment(directory, baseOffset, log, offsetIndex, timeIndex) { _size = size };
            if (timeIndex.LastEntry is { } last)
            {
                segment._maxTimestamp = last.Timestamp;
                segment._trackedMaxTimestamp = last.Timestamp;
                segment._offsetOfMaxTimestamp = last.Offset;
            }

            return segment;
        }
        catch
        {
            offsetIndex?.Dispose();
            log.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes already-framed batches at the end of the .log and indexes them (owner only). The bytes are
    /// published to readers before the index entries that point at them.
    /// </summary>
    public void Append(ReadOnlySpan<byte> batches, int indexIntervalBytes, long nowMs)
    {
        long start = _size;
        Log.Write(batches, start);
        if (RollStartMs < 0)
        {
            RollStartMs = nowMs;
        }

        long lastOffset = -1;
        for (int position = 0; position < batches.Length;)
        {
            ReadOnlySpan<byte> batch = batches[position..];
            lastOffset = BinaryPrimitives.ReadInt64BigEndian(batch) +
                BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaPosition..]);
            position += RecordBatchHeader.ReadBatchLength(batch) + RecordBatchLayout.LogOverhead;
        }

        Volatile.Write(ref _size, start + batches.Length);
        Volatile.Write(ref _nextOffset, lastOffset + 1);
        for (int position = 0; position < batches.Length;)
        {
            ReadOnlySpan<byte> batch = batches[position..];
            int size = RecordBatchHeader.ReadBatchLength(batch) + RecordBatchLayout.LogOverhead;
            long batchLastOffset = BinaryPrimitives.ReadInt64BigEndian(batch) +
                BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaPosition..]);
            long maxTimestamp = BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.MaxTimestampPosition..]);
            TrackBatch(start + position, batchLastOffset, maxTimestamp, size, indexIntervalBytes);
            position += size;
        }
    }

    /// <summary>
    /// Appends one batch whose last offset and max timestamp the caller already read from its header (the
    /// leader's produce path parses a header once). Owner only.
    /// </summary>
    public void AppendBatch(ReadOnlySpan<byte> batch, long lastOffset, long maxTimestamp, int indexIntervalBytes, long nowMs)
    {
        long start = _size;
        Log.Write(batch, start);
        if (RollStartMs < 0)
        {
            RollStartMs = nowMs;
        }

        Volatile.Write(ref _size, start + batch.Length);
        Volatile.Write(ref _nextOffset, lastOffset + 1);
        TrackBatch(start, lastOffset, maxTimestamp, batch.Length, indexIntervalBytes);
    }

    /// <summary>Updates the max timestamp and the indexes for one batch (append and rebuild; owner only).</summary>
    private void TrackBatch(long position, long lastOffset, long maxTimestamp, long size, int indexIntervalBytes)
    {
        if (maxTimestamp > _trackedMaxTimestamp)
        {
            _trackedMaxTimestamp = maxTimestamp;
            _offsetOfMaxTimestamp = lastOffset;
            if (maxTimestamp > _maxTimestamp)
            {
                Volatile.Write(ref _maxTimestamp, maxTimestamp);
            }
        }

        if (BytesSinceLastIndexEntry > indexIntervalBytes)
        {
            OffsetIndex.Append(lastOffset, checked((int)position));
            TimeIndex.MaybeAppend(_trackedMaxTimestamp, _offsetOfMaxTimestamp);
            BytesSinceLastIndexEntry = 0;
        }

        BytesSinceLastIndexEntry += size;
    }

    /// <summary>
    /// Starts rebuilding from nothing: empties both indexes (owner only).
    /// Follow with <see cref="RebuildBatch"/> for each valid batch and <see cref="CompleteRebuild"/>.
    /// </summary>
    /// <param name="forgetTimestamps">
    /// True in recovery, where the bytes may change; false when only the indexes are rebuilt over unchanged
    /// bytes, so concurrent timestamp lookups keep seeing the segment's largest timestamp meanwhile.
    /// </param>
    public void BeginRebuild(bool forgetTimestamps)
    {
        OffsetIndex.Reset();
        TimeIndex.Reset();
        OffsetIndex.DeferWrites = true;
        TimeIndex.DeferWrites = true;
        BytesSinceLastIndexEntry = 0;
        _trackedMaxTimestamp = -1;
        _offsetOfMaxTimestamp = BaseOffset;
        if (forgetTimestamps)
        {
            Volatile.Write(ref _maxTimestamp, -1);
        }

        Interlocked.Exchange(ref _indexSuspect, 0);
    }

    public void RebuildBatch(long position, in RecordBatchHeader header, int indexIntervalBytes) =>
        TrackBatch(position, header.LastOffset, header.MaxTimestamp, header.SizeInBytes, indexIntervalBytes);

    /// <summary>
    /// Cuts the .log at <paramref name="validSize"/> when it is longer, publishes the rebuilt state, and writes
    /// the rebuilt index entries. When that write fails (a full disk) the state is published all the same and
    /// the entries stay in memory for the next write-out.
    /// </summary>
    public void CompleteRebuild(long validSize, long nextOffset)
    {
        if (Log.Length != validSize)
        {
            Log.SetLength(validSize);
        }

        Volatile.Write(ref _size, validSize);
        Volatile.Write(ref _nextOffset, nextOffset);
        OffsetIndex.DeferWrites = false;
        TimeIndex.DeferWrites = false;
        OffsetIndex.WritePending();
        TimeIndex.WritePending();
    }

    /// <summary>
    /// Sets the end of a segment loaded without a rescan (its indexes were trusted), and restores the
    /// bookkeeping the next append needs (owner only).
    /// </summary>
    public void SetLoadedEnd(long nextOffset)
    {
        Volatile.Write(ref _nextOffset, nextOffset);
        BytesSinceLastIndexEntry = OffsetIndex.LastEntry is { } last ? Size - last.Position : Size;
    }

    /// <summary>
    /// Removes everything from <paramref name="position"/> on, which must be a batch boundary holding
    /// <paramref name="nextOffset"/> (owner only). Indexes drop the entries past the cut and the largest
    /// timestamp is recomputed from the last time-index entry plus a header scan of the tail.
    /// </summary>
    public void TruncateTo(long position, long nextOffset)
    {
        Volatile.Write(ref _size, position);
        Volatile.Write(ref _nextOffset, nextOffset);
        Log.SetLength(position);
        OffsetIndex.TruncateToPosition(position);
        TimeIndex.TruncateToOffset(nextOffset);
        BytesSinceLastIndexEntry = OffsetIndex.LastEntry is { } lastEntry ? position - lastEntry.Position : position;
        if (position == 0)
        {
            RollStartMs = -1;
        }

        long maxTimestamp = -1;
        long offsetOfMax = BaseOffset;
        long scanFrom = 0;
        if (TimeIndex.LastEntry is { } lastTime)
        {
            maxTimestamp = lastTime.Timestamp;
            offsetOfMax = lastTime.Offset;
            scanFrom = OffsetIndex.Lookup(lastTime.Offset)?.Position ?? 0;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var scanner = new BatchScanner(Log, scanFrom, position, buffer, verifyCrc: false);
            while (scanner.Next(out RecordBatchHeader header, out _) == BatchFrameStatus.Valid)
            {
                if (header.MaxTimestamp > maxTimestamp)
                {
                    maxTimestamp = header.MaxTimestamp;
                    offsetOfMax = header.LastOffset;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Volatile.Write(ref _maxTimestamp, maxTimestamp);
        _trackedMaxTimestamp = maxTimestamp;
        _offsetOfMaxTimestamp = offsetOfMax;
    }

    /// <summary>
    /// The segment stops being active (roll or close): the final time-index entry records the largest
    /// timestamp and every index entry held in memory goes to the files (Kafka <c>onBecomeInactiveSegment</c>).
    /// </summary>
    public void WriteIndexesOut(bool final)
    {
        if (final && _trackedMaxTimestamp >= 0)
        {
            TimeIndex.MaybeAppend(_trackedMaxTimestamp, _offsetOfMaxTimestamp);
        }

        OffsetIndex.WritePending();
        TimeIndex.WritePending();
    }

    /// <summary>Asks readers to stop trusting the offset index of this segment until it is rebuilt.</summary>
    public void MarkIndexSuspect() => Interlocked.Exchange(ref _indexSuspect, 1);

    /// <summary>Releases the file handles; the files stay.</summary>
    public void Close()
    {
        Log.Dispose();
        OffsetIndex.Dispose();
        TimeIndex.Dispose();
    }

    /// <summary>Closes the segment and deletes its files: rename each to *.deleted, then delete (Kafka's order).</summary>
    public void Delete(ILogFileSystem fileSystem)
    {
        Close();
        foreach (string path in new[] { Log.Path, OffsetIndex.Path, TimeIndex.Path })
        {
            if (fileSystem.FileExists(path))
            {
                string deleted = path + LogFileNames.DeletedSuffix;
                fileSystem.MoveFile(path, deleted, overwrite: true);
                fileSystem.DeleteFile(deleted);
            }
        }
    }

    public override string ToString() => $"segment {BaseOffset} ({Log.Path}, {Size} bytes, offsets {BaseOffset}..{NextOffset - 1})";
}
