using System.Buffers.Binary;

namespace OrleansLog.Storage;

/// <summary>
/// Sparse offset index of one segment (Kafka <c>OffsetIndex</c>).
/// <para><b>File:</b> <c>{baseOffset:D20}.index</c> beside the segment's .log.</para>
/// <para><b>Layout:</b> a sequence of 8-byte entries, no header, no checksum:
/// <c>int32 relativeOffset | int32 position</c>, big-endian. An entry says "the batch that starts at
/// <c>position</c> in the .log ends at offset <c>baseOffset + relativeOffset</c>". One entry is added per
/// <see cref="PartitionLogOptions.IndexIntervalBytes"/> of log, so both columns strictly increase.</para>
/// <para><b>Lookup:</b> binary search for the greatest entry whose offset is ≤ the target, then a linear
/// scan of batch headers in the .log from its position. Callers verify the batch header at the position
/// they get and fall back to scanning the whole segment when it does not match: the index is a cache and
/// is never trusted over the log.</para>
/// <para><b>Writes:</b> entries go to an in-memory array at once and to the file in 4 KiB groups (and on
/// roll, truncation and close), which saves two syscalls per append; Kafka gets the same effect from its
/// memory map. Entries not yet written are only missing, never wrong, and recovery rebuilds the index of
/// every segment it rescans.</para>
/// <para><b>Crash behaviour:</b> a file whose size is not a multiple of 8, whose columns do not increase,
/// or whose entries point past the log is rebuilt from the log on open.</para>
/// <para><b>Thread-safety:</b> one writer (the log's owner) appends and truncates; any number of readers
/// call <see cref="Lookup"/> concurrently. Entries live in an array snapshot whose count is published with
/// <see cref="Volatile"/> after the entry is stored; growing or truncating publishes a new snapshot.</para>
/// </summary>
internal sealed class OffsetIndex : SparseIndex
{
    public const int EntrySize = 8;

    private Snapshot _snapshot;

    private OffsetIndex(ILogFile file, long baseOffset, int maxEntries, long[] entries, int count)
        : base(file, baseOffset, maxEntries, EntrySize, writtenCount: count)
    {
        _snapshot = new Snapshot(entries, count);
    }

    public override int Count => Volatile.Read(ref Volatile.Read(ref _snapshot).PublishedCount);

    /// <summary>The last entry, or null when the index is empty.</summary>
    public (long Offset, int Position)? LastEntry
    {
        get
        {
            Snapshot snapshot = Volatile.Read(ref _snapshot);
            int count = Volatile.Read(ref snapshot.PublishedCount);
            return count == 0 ? null : Decode(snapshot.Entries[count - 1]);
        }
    }

    /// <summary>Creates an empty index, replacing any file of that name.</summary>
    public static OffsetIndex CreateEmpty(ILogFileSystem fileSystem, string path, long baseOffset, int maxEntries)
    {
        ILogFile file = OnDemandLogFile.From(fileSystem, fileSystem.OpenFile(path, FileMode.Create));
        return new OffsetIndex(file, baseOffset, maxEntries, new long[16], 0);
    }

    /// <summary>
    /// Loads an existing index (creating an empty file when missing) and checks it against the log:
    /// <paramref name="problem"/> is null when the entries are plausible, else says why they are not and the
    /// returned index is empty, ready to be rebuilt.
    /// </summary>
    public static OffsetIndex Load(
        ILogFileSystem fileSystem, string path, long baseOffset, int maxEntries, long logSize, long endOffsetExclusive, out string? problem)
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

            long[] entries = [];
            int count = 0;
            if (problem is null)
            {
                count = (int)(length / EntrySize);
                byte[] bytes = new byte[length];
                if (BatchScanner.ReadFully(file, bytes, 0) != length)
                {
                    problem = $"only part of its {length} bytes could be read";
                }

                entries = new long[Math.Max(16, count)];
                long previousRelative = -1;
                long previousPosition = -1;
                for (int i = 0; i < count && problem is null; i++)
                {
                    int relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize));
                    int position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * EntrySize + 4));
                    if (relative <= previousRelative || relative < 0)
                    {
                        problem = $"entry {i} has relative offset {relative}, not above the previous {previousRelative}";
                    }
                    else if (position <= previousPosition || position < 0)
                    {
                        problem = $"entry {i} has position {position}, not above the previous {previousPosition}";
                    }
                    else if (position >= logSize)
                    {
                        problem = $"entry {i} points at position {position}, past the log size {logSize}";
                    }
                    else if (endOffsetExclusive >= 0 && baseOffset + relative >= endOffsetExclusive)
                    {
                        problem = $"entry {i} names offset {baseOffset + relative}, at or past the segment end {endOffsetExclusive}";
                    }

                    entries[i] = Encode(relative, position);
                    previousRelative = relative;
                    previousPosition = position;
                }
            }

            if (problem is not null)
            {
                // Entries are rebuilt from the log; the stale bytes must not linger behind them.
                file.SetLength(0);
                return new OffsetIndex(OnDemandLogFile.From(fileSystem, file), baseOffset, maxEntries, new long[16], 0);
            }

            return new OffsetIndex(OnDemandLogFile.From(fileSystem, file), baseOffset, maxEntries, entries, count);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Adds an entry (owner only). Offsets and positions must increase.</summary>
    public void Append(long offset, int position)
    {
        int relative = checked((int)(offset - BaseOffset));
        Snapshot snapshot = _snapshot;
        int count = snapshot.PublishedCount;
        if (count > 0)
        {
            (long lastOffset, int lastPosition) = Decode(snapshot.Entries[count - 1]);
            if (offset <= lastOffset || position <= lastPosition)
            {
                throw new InvalidOperationException(
                    $"Index '{Path}': entry (offset {offset}, position {position}) does not follow (offset {lastOffset}, position {lastPosition}).");
            }
        }

        if (count == snapshot.Entries.Length)
        {
            var grown = new long[snapshot.Entries.Length * 2];
            Array.Copy(snapshot.Entries, grown, count);
            snapshot = new Snapshot(grown, count);
            Volatile.Write(ref _snapshot, snapshot);
        }

        snapshot.Entries[count] = Encode(relative, position);
        Volatile.Write(ref snapshot.PublishedCount, count + 1);

        Span<byte> slot = PendingSlot();
        BinaryPrimitives.WriteInt32BigEndian(slot, relative);
        BinaryPrimitives.WriteInt32BigEndian(slot[4..], position);
        QueuePendingSlot();
    }

    /// <summary>
    /// The greatest entry whose offset is ≤ <paramref name="targetOffset"/>, or null when there is none
    /// (scan from position 0). Safe to call concurrently with the writer.
    /// </summary>
    public (long Offset, int Position)? Lookup(long targetOffset)
    {
        Snapshot snapshot = Volatile.Read(ref _snapshot);
        int count = Volatile.Read(ref snapshot.PublishedCount);
        long relativeTarget = targetOffset - BaseOffset;
        if (count == 0 || relativeTarget < 0)
        {
            return null;
        }

        long[] entries = snapshot.Entries;
        int low = 0;
        int high = count - 1;
        int found = -1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if ((entries[mid] >> 32) <= relativeTarget)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return found < 0 ? null : Decode(entries[found]);
    }

    /// <summary>Removes every entry at or after <paramref name="position"/> (owner only).</summary>
    public void TruncateToPosition(long position)
    {
        Snapshot snapshot = _snapshot;
        int count = snapshot.PublishedCount;
        int keep = count;
        while (keep > 0 && (uint)snapshot.Entries[keep - 1] >= position)
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
        var kept = new long[Math.Max(16, keep)];
        Array.Copy(snapshot.Entries, kept, Math.Min(keep, snapshot.PublishedCount));
        Volatile.Write(ref _snapshot, new Snapshot(kept, keep));
        TruncateFileToEntries(keep);
    }

    private static long Encode(int relative, int position) => ((long)relative << 32) | (uint)position;

    private (long Offset, int Position) Decode(long entry) => (BaseOffset + (entry >> 32), (int)(uint)entry);

    private sealed class Snapshot(long[] entries, int count)
    {
        public readonly long[] Entries = entries;
        public int PublishedCount = count;
    }
}
