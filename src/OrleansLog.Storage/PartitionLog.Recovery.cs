using System.Buffers;
using System.Diagnostics;
using OrleansLog.Records;

namespace OrleansLog.Storage;

/// <summary>Loading and recovery (Kafka <c>LogLoader</c> and <c>LogSegment.recover</c>).</summary>
public sealed partial class PartitionLog
{
    /// <summary>Recovery reads segments 1 MiB at a time and checks CRCs in the buffer.</summary>
    private const int RecoveryBufferBytes = 1 << 20;

    /// <summary>ENOSPC, as .NET reports it on Linux (the errno in <see cref="Exception.HResult"/>).</summary>
    private const int NoSpaceLeftOnDevice = 28;

    private const int TailCheckBufferBytes = 64 * 1024;

    private void Load()
    {
        long started = Stopwatch.GetTimestamp();
        if (!_fileSystem.DirectoryExists(_directory))
        {
            // The new directory's entry lives in its parent: without an fsync of the parent, a power cut
            // can take the partition's directory, and every record acknowledged into it, away. The first
            // flush does it (before anything is acknowledged as durable), not the open: a new topic of
            // thousands of partitions would otherwise wait for thousands of fsyncs of one directory.
            _fileSystem.CreateDirectory(_directory);
            Interlocked.Exchange(ref _parentDirectoryDirty, 1);
        }

        var deleted = new List<string>();
        var rebuilt = new List<string>();
        List<long> bases = FindSegmentsAndRemoveLeftovers(deleted);

        // 1. Read the marker (deleting it at once), then the checkpoints.
        CleanShutdownMarker.State? marker = CleanShutdownMarker.Consume(_fileSystem, _directory);
        long? checkpointedRecoveryPoint = OffsetCheckpointFile.Read(
            _fileSystem, Path.Combine(_directory, LogFileNames.RecoveryPointCheckpoint), out string? problem);
        if (problem is not null && bases.Count > 0)
        {
            LogCheckpointUnusable(_logger, Name, LogFileNames.RecoveryPointCheckpoint, problem);
        }

        LoadHighWatermarkCheckpoint();
        long? checkpointedLogStart = OffsetCheckpointFile.Read(
            _fileSystem, Path.Combine(_directory, LogFileNames.LogStartOffsetCheckpoint), out problem);
        List<EpochEntry>? checkpointedEpochs = LeaderEpochCheckpointFile.Read(
            _fileSystem, Path.Combine(_directory, LogFileNames.LeaderEpochCheckpoint), out problem);
        if (problem is not null && bases.Count > 0)
        {
            LogCheckpointUnusable(_logger, Name, LogFileNames.LeaderEpochCheckpoint, problem);
        }

        if (bases.Count == 0)
        {
            CreateFirstSegment(checkpointedLogStart ?? 0, marker is not null, started, deleted);
            return;
        }

        // 2. A marker only counts when it matches the files; without the epoch checkpoint everything is
        //    rescanned, because the epochs below the recovery point would otherwise be lost.
        bool clean = marker is { } m
            && m.ActiveSegmentBaseOffset == bases[^1]
            && FileLength(LogFileNames.LogFile(_directory, bases[^1])) == m.ActiveSegmentSize
            && checkpointedEpochs is not null;
        long recoveryPoint = checkpointedEpochs is null ? 0 : checkpointedRecoveryPoint ?? 0;
        int rescanFrom = clean ? bases.Count : Math.Max(0, FloorIndex(bases, recoveryPoint));
        long rescanStartOffset = clean ? long.MaxValue : bases[rescanFrom];

        // 3. Open every segment; rescan from the recovery point's segment and any segment whose index is
        //    implausible; cut at the first bad batch and delete everything after it.
        var segments = new List<LogSegment>(bases.Count);
        var scannedEpochs = new List<EpochEntry>();
        var outcome = new RecoveryOutcome();
        try
        {
            for (int i = 0; i < bases.Count; i++)
            {
                if (outcome.DeleteRest)
                {
                    DeleteSegmentFiles(bases[i], deleted);
                    continue;
                }

                long baseOffset = bases[i];
                long expectedBase = segments.Count == 0 ? baseOffset : segments[^1].NextOffset;
                if (baseOffset != expectedBase)
                {
                    // The previous segment lost its end (or this one is out of place): nothing from here on
                    // follows the log, so it all goes.
                    outcome.DeleteRest = true;
                    if (!outcome.Truncated)
                    {
                        string path = LogFileNames.LogFile(_directory, baseOffset);
                        outcome.RecordCut(
                            path, 0, expectedBase, FileLength(path),
                            $"the segment starts at offset {baseOffset} but the previous segment ends at offset {expectedBase}");
                    }

                    DeleteSegmentFiles(baseOffset, deleted);
                    continue;
                }

                bool isLast = i == bases.Count - 1;
                LogSegment segment = LogSegment.Open(
                    _fileSystem, _directory, baseOffset, _options, isLast ? -1 : bases[i + 1],
                    out string? offsetIndexProblem, out string? timeIndexProblem);
                segments.Add(segment);
                string? reasonToScan = i >= rescanFrom ? "after the recovery point" : offsetIndexProblem ?? timeIndexProblem;
                if (reasonToScan is null)
                {
                    reasonToScan = CheckLoadedSegment(segment, isLast ? -1 : bases[i + 1], clean ? marker!.Value.LogEndOffset : -1);
                }

                if (reasonToScan is not null)
                {
                    if (i < rescanFrom)
                    {
                        LogIndexRebuilding(_logger, Name, segment.LogPath, reasonToScan);
                    }

                    // The active segment's epochs are relearned whenever it is rescanned, even after a
                    // clean shutdown whose tail did not check out.
                    bool collectEpochs = i >= rescanFrom || isLast;
                    if (collectEpochs && i < rescanFrom)
                    {
                        rescanStartOffset = baseOffset;
                    }

                    RecoverSegment(segment, collectEpochs ? scannedEpochs : null, ref outcome);
                    rebuilt.Add(segment.OffsetIndex.Path);
                    rebuilt.Add(segment.TimeIndex.Path);
                }
            }
        }
        catch
        {
            foreach (LogSegment segment in segments)
            {
                segment.Close();
            }

            throw;
        }

        // Closed segments that were rebuilt get their final time-index entry and are fsynced now; the
        // commit scheduler only walks back from the active segment to the first synced closed one.
        // A full disk does not stop the log from opening: what could not be written now stays unsynced (or
        // dirty, below) and the next flush writes it, while the log serves what it holds. Any other I/O
        // error (EIO) still fails the open: after a failed fsync the kernel may have dropped the dirty pages,
        // and a later fsync's success would prove nothing.
        string? deferred = outcome.WriteDeferred;
        for (int i = 0; i < segments.Count - 1; i++)
        {
            LogSegment segment = segments[i];
            segment.IsInactive = true;
            if (!segment.IndexesSynced || segment.SyncedSize < segment.Size)
            {
                try
                {
                    segment.WriteIndexesOut(final: true);
                    segment.Log.Flush();
                    segment.OffsetIndex.File.Flush();
                    segment.TimeIndex.File.Flush();
                    segment.SyncedSize = segment.Size;
                    segment.IndexesSynced = true;
                }
                catch (IOException ex) when (ex.HResult == NoSpaceLeftOnDevice)
                {
                    deferred ??= ex.Message;
                }
            }
        }

        LogSegment active = segments[^1];
        Volatile.Write(ref _segments, [.. segments]);
        long logEndOffset = active.NextOffset;
        long logStartOffset = Math.Clamp(checkpointedLogStart ?? segments[0].BaseOffset, segments[0].BaseOffset, logEndOffset);
        Volatile.Write(ref _logEndOffset, logEndOffset);
        Volatile.Write(ref _logStartOffset, logStartOffset);
        active.RollStartMs = RollStartOf(active);

        // 4. Epochs: the checkpoint below the rescan, the scanned batches from there on.
        _leaderEpochCache.Replace(checkpointedEpochs ?? []);
        _leaderEpochCache.TruncateFromEnd(rescanStartOffset);
        foreach (EpochEntry entry in scannedEpochs)
        {
            _leaderEpochCache.Assign(entry.Epoch, entry.StartOffset);
        }

        _leaderEpochCache.TruncateFromEnd(logEndOffset);
        _leaderEpochCache.TruncateFromStart(logStartOffset);

        // 5. Make the repaired state durable and move the recovery point to the end, so the next crash
        //    does not rescan it again.
        bool changed = !clean || rebuilt.Count > 0 || outcome.Truncated || deleted.Count > 0;
        Volatile.Write(ref _recoveryPoint, clean ? logEndOffset : Math.Min(recoveryPoint, logEndOffset));
        if (changed || checkpointedLogStart != logStartOffset)
        {
            Interlocked.Exchange(ref _epochCheckpointDirty, 1);
            Interlocked.Exchange(ref _logStartCheckpointDirty, 1);
            Interlocked.Exchange(ref _directoryDirty, 1);
            lock (_fileLock)
            {
                try
                {
                    SyncCore(full: true);
                }
                catch (IOException ex) when (ex.HResult == NoSpaceLeftOnDevice)
                {
                    // The recovery point did not move, so a crash now rescans what this open repaired.
                    Interlocked.Exchange(ref _epochCheckpointDirty, 1);
                    Interlocked.Exchange(ref _logStartCheckpointDirty, 1);
                    Interlocked.Exchange(ref _directoryDirty, 1);
                    deferred ??= ex.Message;
                }
            }
        }

        if (deferred is not null)
        {
            LogRecoveryNotDurable(_logger, Name, deferred);
        }

        LastRecovery = new RecoveryReport
        {
            WasCleanShutdown = clean,
            CheckpointedRecoveryPoint = checkpointedRecoveryPoint ?? 0,
            SegmentsScanned = outcome.SegmentsScanned,
            BytesScanned = outcome.BytesScanned,
            BytesTruncated = outcome.BytesTruncated,
            FirstTruncatedOffset = outcome.Truncated ? outcome.CutOffset : null,
            TruncatedPosition = outcome.Truncated ? outcome.CutPosition : null,
            TruncatedFile = outcome.CutFile,
            Reason = outcome.Reason,
            DeletedSegments = deleted,
            RebuiltIndexes = rebuilt,
            LogStartOffset = logStartOffset,
            LogEndOffset = logEndOffset,
            Duration = Stopwatch.GetElapsedTime(started),
        };
        if (outcome.Truncated)
        {
            LogRecoveryTruncated(
                _logger, Name, outcome.CutFile!, outcome.CutPosition, outcome.CutOffset, outcome.BytesTruncated,
                deleted.Count, outcome.Reason!);
        }

        LogLoaded(
            _logger, Name, clean, logStartOffset, logEndOffset, segments.Count, outcome.SegmentsScanned,
            outcome.BytesScanned, rebuilt.Count, LastRecovery.Duration.TotalMilliseconds);
    }

    private void CreateFirstSegment(long baseOffset, bool hadMarker, long started, List<string> deleted)
    {
        LogSegment segment = LogSegment.Create(_fileSystem, _directory, baseOffset, _options);
        Volatile.Write(ref _segments, [segment]);
        Volatile.Write(ref _logEndOffset, baseOffset);
        Volatile.Write(ref _logStartOffset, baseOffset);
        _leaderEpochCache.Replace([]);
        Interlocked.Exchange(ref _epochCheckpointDirty, 1);
        Interlocked.Exchange(ref _logStartCheckpointDirty, 1);
        Interlocked.Exchange(ref _directoryDirty, 1);

        // Nothing to make durable yet: the first flush (group commit, interval flush or close) writes the
        // segment, the directory entries and the checkpoints, before anything is acknowledged as durable.
        LastRecovery = new RecoveryReport
        {
            WasCleanShutdown = hadMarker,
            CheckpointedRecoveryPoint = 0,
            SegmentsScanned = 0,
            BytesScanned = 0,
            BytesTruncated = 0,
            DeletedSegments = deleted,
            RebuiltIndexes = [],
            LogStartOffset = baseOffset,
            LogEndOffset = baseOffset,
            Duration = Stopwatch.GetElapsedTime(started),
        };
        LogLoaded(_logger, Name, hadMarker, baseOffset, baseOffset, 1, 0, 0, 0, LastRecovery.Duration.TotalMilliseconds);
    }

    /// <summary>
    /// Lists the segment base offsets and deletes what an interrupted operation left behind: *.deleted,
    /// *.cleaned, *.swap (no compaction exists yet to resume), *.tmp checkpoints, and index files without
    /// a .log.
    /// </summary>
    private List<long> FindSegmentsAndRemoveLeftovers(List<string> deleted)
    {
        IReadOnlyList<string> names = _fileSystem.GetFileNames(_directory);
        var bases = new List<long>();
        foreach (string name in names)
        {
            if (LogFileNames.TryParseBaseOffset(name, LogFileNames.LogSuffix, out long baseOffset))
            {
                bases.Add(baseOffset);
            }
        }

        var baseSet = new HashSet<long>(bases);
        foreach (string name in names)
        {
            bool leftover = name.EndsWith(LogFileNames.DeletedSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.CleanedSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.SwapSuffix, StringComparison.Ordinal)
                || name.EndsWith(LogFileNames.TempSuffix, StringComparison.Ordinal)
                || (LogFileNames.TryParseBaseOffset(name, LogFileNames.IndexSuffix, out long indexBase) && !baseSet.Contains(indexBase))
                || (LogFileNames.TryParseBaseOffset(name, LogFileNames.TimeIndexSuffix, out long timeBase) && !baseSet.Contains(timeBase));
            if (leftover)
            {
                string path = Path.Combine(_directory, name);
                _fileSystem.DeleteFile(path);
                deleted.Add(path);
            }
        }

        bases.Sort();
        return bases;
    }

    /// <summary>
    /// Cheap checks of a segment loaded without a rescan: a closed non-empty segment must have a time index
    /// (its largest timestamp), and the batches after the last offset-index entry, which must match the
    /// entry, must be whole and valid (CRC included) up to the file end, ending at the next segment's base
    /// offset or, for the active segment of a clean shutdown, at the marker's log end offset. That costs one
    /// index interval plus a batch of reading per segment and catches torn or padded tails the recovery
    /// point would otherwise hide. Returns why the segment must be rescanned, or null after setting its end.
    /// </summary>
    private string? CheckLoadedSegment(LogSegment segment, long nextSegmentBase, long expectedLogEndOffset)
    {
        bool isLast = nextSegmentBase < 0;
        if (!isLast && segment.Size > 0 && segment.TimeIndex.Count == 0)
        {
            return "its time index is empty although the segment holds batches";
        }

        (long Offset, int Position)? last = segment.OffsetIndex.LastEntry;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(TailCheckBufferBytes);
        try
        {
            long size = segment.Size;
            var scanner = new BatchScanner(segment.Log, last?.Position ?? 0, size, buffer, verifyCrc: true);
            long expected = last is null ? segment.BaseOffset : -1;
            while (true)
            {
                long position = scanner.Position;
                BatchFrameStatus status = scanner.Next(out RecordBatchHeader header, out string? detail);
                if (status == BatchFrameStatus.EndOfData)
                {
                    break;
                }

                if (status != BatchFrameStatus.Valid)
                {
                    return $"its tail is not whole at position {position}: {detail}";
                }

                if (expected < 0 ? header.LastOffset != last!.Value.Offset : header.BaseOffset != expected)
                {
                    return $"the batch at position {position} has offsets {header.BaseOffset}..{header.LastOffset}, which do not follow " +
                        (expected < 0 ? $"the last index entry (offset {last!.Value.Offset})" : $"offset {expected - 1}");
                }

                expected = header.NextOffset;
            }

            long nextOffset = expected < 0 ? segment.BaseOffset : expected;
            long mustEndAt = isLast ? expectedLogEndOffset : nextSegmentBase;
            if (mustEndAt >= 0 && nextOffset != mustEndAt)
            {
                return $"it ends at offset {nextOffset} but " + (isLast ? $"the clean-shutdown marker says {mustEndAt}" : $"the next segment starts at {mustEndAt}");
            }

            segment.SetLoadedEnd(nextOffset);
            segment.SyncedSize = size;
            segment.IndexesSynced = !isLast;
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Revalidates every batch of a segment (length, magic, CRC-32C, contiguous offsets from the base
    /// offset, lastOffsetDelta ≥ 0), rebuilds both indexes, and cuts the file at the first bad byte
    /// (Kafka <c>LogSegment.recover</c>). Epoch changes go to <paramref name="epochs"/> when given.
    /// </summary>
    private void RecoverSegment(LogSegment segment, List<EpochEntry>? epochs, ref RecoveryOutcome outcome)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(RecoveryBufferBytes);
        try
        {
            long fileLength = segment.Log.Length;
            segment.BeginRebuild(forgetTimestamps: true);
            var scanner = new BatchScanner(segment.Log, 0, fileLength, buffer, verifyCrc: true);
            long expected = segment.BaseOffset;
            int latestEpoch = epochs is { Count: > 0 } ? epochs[^1].Epoch : -1;
            string? reason = null;
            while (true)
            {
                long position = scanner.Position;
                BatchFrameStatus status = scanner.Next(out RecordBatchHeader header, out string? detail);
                if (status == BatchFrameStatus.EndOfData)
                {
                    break;
                }

                if (status == BatchFrameStatus.Valid && header.BaseOffset != expected)
                {
                    // Step back so the cut lands before this batch.
                    scanner = new BatchScanner(segment.Log, position, fileLength, buffer, verifyCrc: true);
                    status = BatchFrameStatus.OffsetNotContiguous;
                    detail = $"baseOffset {header.BaseOffset}, expected {expected}";
                }

                if (status != BatchFrameStatus.Valid)
                {
                    reason = $"{status}: {detail}";
                    break;
                }

                segment.RebuildBatch(position, header, _options.IndexIntervalBytes);
                if (epochs is not null && header.PartitionLeaderEpoch > latestEpoch)
                {
                    latestEpoch = header.PartitionLeaderEpoch;
                    epochs.Add(new EpochEntry(latestEpoch, header.BaseOffset));
                }

                expected = header.NextOffset;
            }

            long validSize = scanner.Position;
            outcome.SegmentsScanned++;
            outcome.BytesScanned += validSize;
            if (reason is not null)
            {
                outcome.RecordCut(segment.LogPath, validSize, expected, fileLength - validSize, reason);
            }

            segment.SyncedSize = 0;
            segment.IndexesSynced = false;
            try
            {
                segment.CompleteRebuild(validSize, expected);
            }
            catch (IOException ex) when (ex.HResult == NoSpaceLeftOnDevice)
            {
                outcome.WriteDeferred ??= ex.Message;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Rebuilds the offset and time indexes of segments a reader found suspect, from a header walk of the
    /// log (owner only; the bytes were validated when written or recovered).
    /// </summary>
    private void RebuildSuspectIndexes()
    {
        Interlocked.Exchange(ref _indexRebuildRequested, 0);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(TailCheckBufferBytes);
        try
        {
            foreach (LogSegment segment in Volatile.Read(ref _segments))
            {
                if (!segment.IsIndexSuspect)
                {
                    continue;
                }

                long size = segment.Size;
                long nextOffset = segment.NextOffset;
                segment.BeginRebuild(forgetTimestamps: false);
                var scanner = new BatchScanner(segment.Log, 0, size, buffer, verifyCrc: false);
                long expected = segment.BaseOffset;
                while (true)
                {
                    long position = scanner.Position;
                    BatchFrameStatus status = scanner.Next(out RecordBatchHeader header, out string? detail);
                    if (status == BatchFrameStatus.EndOfData)
                    {
                        break;
                    }

                    if (status != BatchFrameStatus.Valid || header.BaseOffset != expected)
                    {
                        throw Fail(
                            new InvalidDataException(
                                $"While rebuilding the index of '{segment.LogPath}': position {position}: {detail ?? $"baseOffset {header.BaseOffset}, expected {expected}"}"),
                            "index rebuild");
                    }

                    segment.RebuildBatch(position, header, _options.IndexIntervalBytes);
                    expected = header.NextOffset;
                }

                if (expected != nextOffset)
                {
                    throw Fail(
                        new InvalidDataException($"While rebuilding the index of '{segment.LogPath}': the log ends at offset {expected}, expected {nextOffset}"),
                        "index rebuild");
                }

                segment.CompleteRebuild(size, nextOffset);
                if (segment.IsInactive)
                {
                    segment.WriteIndexesOut(final: true);
                    lock (_fileLock)
                    {
                        segment.OffsetIndex.File.Flush();
                        segment.TimeIndex.File.Flush();
                    }
                }

                LogIndexRebuilt(_logger, Name, segment.OffsetIndex.Path, segment.OffsetIndex.Count);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Fail(ex, "index rebuild");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>segment.ms counts from the active segment's first batch: its maxTimestamp when plausible, else now.</summary>
    private long RollStartOf(LogSegment active)
    {
        long now = NowMs();
        if (active.Size < RecordBatchLayout.HeaderSize)
        {
            return active.Size == 0 ? -1 : now;
        }

        Span<byte> header = stackalloc byte[RecordBatchLayout.HeaderSize];
        if (BatchScanner.ReadFully(active.Log, header, 0) < header.Length)
        {
            return now;
        }

        long firstTimestamp = RecordBatchHeader.Read(header).MaxTimestamp;
        return firstTimestamp >= 0 && firstTimestamp <= now ? firstTimestamp : now;
    }

    private void DeleteSegmentFiles(long baseOffset, List<string> deleted)
    {
        foreach (string path in new[]
        {
            LogFileNames.LogFile(_directory, baseOffset),
            LogFileNames.IndexFile(_directory, baseOffset),
            LogFileNames.TimeIndexFile(_directory, baseOffset),
        })
        {
            if (_fileSystem.FileExists(path))
            {
                string renamed = path + LogFileNames.DeletedSuffix;
                _fileSystem.MoveFile(path, renamed, overwrite: true);
                _fileSystem.DeleteFile(renamed);
                deleted.Add(path);
            }
        }
    }

    private long FileLength(string path)
    {
        using ILogFile file = _fileSystem.OpenFile(path, FileMode.Open);
        return file.Length;
    }

    /// <summary>Index of the greatest base offset ≤ <paramref name="offset"/>, or -1.</summary>
    private static int FloorIndex(List<long> bases, long offset)
    {
        int index = bases.BinarySearch(offset);
        return index >= 0 ? index : ~index - 1;
    }

    /// <summary>What the rescan found, accumulated over segments.</summary>
    private struct RecoveryOutcome
    {
        public int SegmentsScanned;
        public long BytesScanned;

        /// <summary>Why rebuilt index entries could not be written yet (a full disk), if they could not.</summary>
        public string? WriteDeferred;

        /// <summary>Some bytes were cut; the Cut* fields describe the first cut.</summary>
        public bool Truncated;

        /// <summary>The log ends before the next segment's base offset: every later segment is deleted.</summary>
        public bool DeleteRest;
        public string? CutFile;
        public long CutPosition;
        public long CutOffset;
        public long BytesTruncated;
        public string? Reason;

        public void RecordCut(string file, long position, long offset, long bytesTruncated, string reason)
        {
            BytesTruncated += bytesTruncated;
            if (Truncated)
            {
                return;
            }

            Truncated = true;
            CutFile = file;
            CutPosition = position;
            CutOffset = offset;
            Reason = reason;
        }
    }
}
