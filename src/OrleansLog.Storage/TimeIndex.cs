using System.Buffers.Binary;

namespace OrleansLog.Storage;

/// <summary>
/// Sparse time index of one segment (Kafka <c>TimeIndex</c>).
/// <para><b>File:</b> <c>{baseOffset:D20}.timeindex</c> beside the segment's .log.</para>
/// <para><b>Layout:</b> a sequence of 12-byte entries, no header, no checksum:
/// <c>int64 timestamp | int32 relativeOffset</c>, big-endian. An entry (T, O) says "the largest batch
/// maxTimestamp up to the batch ending at offset <c>baseOffset + O</c> is T", so every batch with a
/// timestamp above T comes after that offset. Timestamps strictly increase and offsets never decrease.
/// Entries are added alongside offset-index entries, only when the timestamp grew, plus one final entry
/// when the segment stops being active, so the last entry holds the segment's largest timestamp.</para>
/// <para><b>Writes, crash behaviour, thread-safety:</b> as <see cref="OffsetIndex"/>: in memory at once,
/// to the file in groups; rebuilt from the log when missing or implausible; one writer, concurrent readers
/// through a published snapshot.</para>
/// </summary>
internal sealed class TimeIndex : SparseIndex
{
    public const int EntrySize = 12;

    private Snapshot _snapshot;

    private TimeIndex(ILogFile file, long baseOffset, int maxEntries, Snapshot snapshot)
        : base(file, baseOffset, maxEntries, EntrySize, writtenCount: snapshot.PublishedCount)
    {
        _snapshot = snapshot;
    }

    public override int Count => Volatile.Read(ref Volatile.Read(ref _snapshot).PublishedCount);

    /// <summary>The last entry, or null when the index is empty.</summary>
    public (long Timestamp, long Offset)? LastEntry
    {
        get
        {
            Snapshot snapshot = Volatile.Read(ref _snapshot);
            int count = Volatile.Read(ref snapshot.PublishedCount);
            return count == 0 ? null : (snapshot.Timestamps[count - 1], BaseOffset + snapshot.RelativeOffsets[count - 1]);
        }
    }

    public static TimeIndex CreateEmpty(ILogFileSystem fileSystem, string path, long baseOffset, int maxEntries) =>
        new(OnDemandLogFile.From(fileSystem, fileSystem.OpenFile(path, FileMode.Create)), baseOffset, maxEntries, new Snapshot(16, 0));

    /// <summary>
    /// Loads an existing index (creating an empty file when missing); <paramref name="problem"/> says why the
    /// entries are implausible, in which case the file is emptied and the returned index must be rebuilt.
    /// </summary>
    public static TimeIndex Load(
        ILogFileSystem fileSystem, string path, long baseOffset, int maxEntries, long endOffsetExclusive, out string? problem)
    {
        bool existed = fileSystem.FileExists(path);
        ILogFile file = fileSystem.OpenFile(path, FileMode.OpenOrCreate);
        try
        {
            problem = existed ? null : "the file is missing";
            long length = file.Length;
            if (problem is null && length % EntrySize != 0)
            {
                problem = $"its size {length} is not a multiple of {EntrySize}";
            }

            if (problem is null && length / EntrySize > int.MaxValue / 2)
            {
                problem = $"its size {length} is implausible";
            }

            var snapshot = new Snapshot(16, 0);
            if (problem is null)
            {
                int count = (int)(length / EntrySize);
                byte[] bytes = new byte[length];
                if (BatchScanner.ReadFully(file, bytes, 0) != length)
                {
                    problem = $"only part of its {length} bytes could be read";
                }

                snapshot = new Snapshot(Math.Max(16, count), count);
                long previousTimestamp = long.MinValue;
                int previousRelative = 0;
                for (int i = 0; i < count && problem is null; i++)
                {
                    long timestamp = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * EntrySize));
                    int relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 8));
                    if (timestamp <= previousTimestamp)
                    {
                        problem = $"entry {i} has timestamp {timestamp}, not above the previous {previousTimestamp}";
                    }
                    else if (relative < previousRelative)
                    {
                        problem = $"entry {i} has relative offset {relative}, below the previous {previousRelative}";
                    }
                    else if (endOffsetExclusive >= 0 && baseOffset + relative >= endOffsetExclusive)
                    {
                        problem = $"entry {i} names offset {baseOffset + relative}, at or past the segment end {endOffsetExclusive}";
                    }

                    snapshot.Timestamps[i] = timestamp;
                    snapshot.RelativeOffsets[i] = relative;
                    previousTimestamp = timestamp;
                    previousRelative = relative;
                }
            }

            if (problem is not null)
            {
                file.SetLength(0);
                snapshot = new Snapshot(16, 0);
            }

            return new TimeIndex(OnDemandLogFile.From(fileSystem, file), baseOffset, maxEntries, snapshot);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds (timestamp, offset) when the timestamp is above the last entry's (owner only); Kafka's
    /// <c>maybeAppend</c>. Returns whether it added.
    /// </summary>
    public bool MaybeAppend(long timestamp, long offset)
    {
        Snapshot snapshot = _snapshot;
        int count = snapshot.PublishedCount;
        if (count > 0 && timestamp <= snapshot.Timestamps[count - 1])
        {
            return false;
        }

        int relative = checked((int)(offset - BaseOffset));
        if (count > 0 && relative < snapshot.RelativeOffsets[count - 1])
        {
            throw new InvalidOperationException(
                $"Time index '{Path}': entry (timestamp {timestamp}, offset {offset}) goes back before offset {BaseOffset + snapshot.RelativeOffsets[count - 1]}.");
        }

        if (count == snapshot.Timestamps.Length)
        {
            var grown = new Snapshot(count * 2, count);
            Array.Copy(snapshot.Timestamps, grown.Timestamps, count);
            Array.Copy(snapshot.RelativeOffsets, grown.RelativeOffsets, count);
            snapshot = grown;
            Volatile.Write(ref _snapshot, snapshot);
        }

        snapshot.Timestamps[count] = timestamp;
        snapshot.RelativeOffsets[count] = relative;
        Volatile.Write(ref snapshot.PublishedCount, count + 1);

        Span<byte> slot = PendingSlot();
        BinaryPrimitives.WriteInt64BigEndian(slot, timestamp);
        BinaryPrimitives.WriteInt32BigEndian(slot[8..], relative);
        QueuePendingSlot();

        return true;
    }

    /// <summary>
    /// The greatest entry whose timestamp is strictly below <paramref name="timestamp"/>: no batch at or
    /// before its offset can have a maxTimestamp ≥ the target. Null when no entry qualifies. Callers check
    /// that the batch holding the entry's offset has exactly the entry's timestamp (it is the batch that
    /// set the maximum) before trusting it.
    /// </summary>
    public (long Timestamp, long Offset)? LookupBefore(long timestamp)
    {
        Snapshot snapshot = Volatile.Read(ref _snapshot);
        int count = Volatile.Read(ref snapshot.PublishedCount);
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (snapshot.Timestamps[mid] < timestamp)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? null : (snapshot.Timestamps[found], BaseOffset + snapshot.RelativeOffsets[found]);
    }

    /// <summary>Removes every entry naming an offset at or after <paramref name="offset"/> (owner only).</summary>
    public void TruncateToOffset(long offset)
    {
        Snapshot snapshot = _snapshot;
        int keep = snapshot.PublishedCount;
        while (keep > 0 && BaseOffset + snapshot.RelativeOffsets[keep - 1] >= offset)
        {
            keep--;
        }

        TruncateToEntries(keep);
    }

    /// <summary>Removes every entry (owner only).</summary>
    public void Reset() => TruncateToEntries(0);

    private void TruncateToEntries(int keep)
    {
        Snapshot snapshot = _snapshot;
        var kept = new Snapshot(Math.Max(16, keep), keep);
        Array.Copy(snapshot.Timestamps, kept.Timestamps, keep);
        Array.Copy(snapshot.RelativeOffsets, kept.RelativeOffsets, keep);
        Volatile.Write(ref _snapshot, kept);
        TruncateFileToEntries(keep);
    }

    private sealed class Snapshot(int capacity, int count)
    {
        public readonly long[] Timestamps = new long[capacity];
        public readonly int[] RelativeOffsets = new int[capacity];
        public int PublishedCount = count;
    }
}
