using System.Buffers.Binary;
using System.Globalization;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// Producer-state snapshot files, Kafka's <c>{offset}.snapshot</c>: the idempotent producers' state as of
/// a log offset (every batch below it, none at or above it), so a partition that takes office loads the
/// newest snapshot and replays only the batches after it instead of every batch header from the log start.
/// Written at segment roll and at clean close. A file is written whole to a temporary name, fsynced and
/// renamed, and carries a CRC-32C of its body: a torn, corrupt or unreadable snapshot is skipped for an
/// older one, and with none left the state is rebuilt by scanning the log — never loaded wrong.
/// <para>Layout (big-endian): magic "OLPS", version 1 (int16), entry count (int32), entries, CRC-32C of
/// everything before it (uint32). Entry: producer id (int64), epoch (int16), last sequence (int32), batch
/// count (int16), batches: base sequence, last sequence (int32), base offset, last offset, append time (int64).</para>
/// </summary>
internal static class ProducerStateSnapshot
{
    public const string Suffix = ".snapshot";
    private const uint Magic = 0x4F4C5053; // "OLPS"
    private const short Version = 1;
    private const int BatchBytes = 4 + 4 + 8 + 8 + 8;

    /// <summary>How many snapshots a partition keeps; older ones are deleted when a new one is written.</summary>
    public const int Retained = 2;

    public static string PathOf(string directory, long offset) =>
        Path.Combine(directory, offset.ToString("D20", CultureInfo.InvariantCulture) + Suffix);

    /// <summary>Offsets of the snapshots in <paramref name="directory"/>, newest first.</summary>
    public static IReadOnlyList<long> List(ILogFileSystem fileSystem, string directory)
    {
        var offsets = new List<long>();
        foreach (string file in fileSystem.GetFileNames(directory))
        {
            if (file.EndsWith(Suffix, StringComparison.Ordinal)
                && long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
            {
                offsets.Add(offset);
            }
        }

        offsets.Sort((a, b) => b.CompareTo(a));
        return offsets;
    }

    /// <summary>Writes the state as of <paramref name="offset"/> durably, then deletes all but the newest <see cref="Retained"/>.</summary>
    public static void Write(ILogFileSystem fileSystem, string directory, long offset, IEnumerable<ProducerSnapshotEntry> entries)
    {
        byte[] bytes = Serialize(entries);
        string path = PathOf(directory, offset);
        string temp = path + ".tmp";
        using (ILogFile file = fileSystem.OpenFile(temp, FileMode.Create))
        {
            file.Write(bytes, 0);
            file.Flush();
        }

        fileSystem.MoveFile(temp, path, overwrite: true);
        foreach (long old in List(fileSystem, directory).Skip(Retained))
        {
            fileSystem.DeleteFile(PathOf(directory, old));
        }
    }

    /// <summary>
    /// Deletes every snapshot above <paramref name="offset"/>, durably (the directory is fsynced): before a
    /// truncation to <paramref name="offset"/>, they describe records that are about to go. A deletion lost to
    /// a power cut would bring back a snapshot of a history the log no longer has, and with it wrong dedupe
    /// answers — a retried batch told it was written at an offset that holds another one.
    /// </summary>
    public static void DeleteAbove(ILogFileSystem fileSystem, string directory, long offset)
    {
        bool deleted = false;
        foreach (long snapshot in List(fileSystem, directory))
        {
            if (snapshot > offset)
            {
                fileSystem.DeleteFile(PathOf(directory, snapshot));
                deleted = true;
            }
        }

        if (deleted)
        {
            fileSystem.FlushDirectory(directory);
        }
    }

    /// <summary>Deletes every snapshot (the log was emptied and starts over).</summary>
    public static void DeleteAll(ILogFileSystem fileSystem, string directory) => DeleteAbove(fileSystem, directory, -1);

    /// <summary>Reads a snapshot; null with <paramref name="problem"/> set when it is torn, corrupt or unreadable.</summary>
    public static IReadOnlyList<ProducerSnapshotEntry>? TryRead(ILogFileSystem fileSystem, string path, out string? problem)
    {
        byte[] bytes;
        try
        {
            using ILogFile file = fileSystem.OpenFile(path, FileMode.Open);
            bytes = new byte[checked((int)file.Length)];
            int read = 0;
            while (read < bytes.Length && file.Read(bytes.AsSpan(read), read) is int n and > 0)
            {
                read += n;
            }

            bytes = bytes[..read];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
            return null;
        }

        try
        {
            problem = null;
            return Deserialize(bytes);
        }
        catch (InvalidDataException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    internal static byte[] Serialize(IEnumerable<ProducerSnapshotEntry> entries)
    {
        List<ProducerSnapshotEntry> list = [.. entries];
        int size = 4 + 2 + 4 + 4;
        foreach (ProducerSnapshotEntry entry in list)
        {
            size += 8 + 2 + 4 + 2 + (entry.Batches.Count * BatchBytes);
        }

        byte[] bytes = new byte[size];
        Span<byte> span = bytes;
        BinaryPrimitives.WriteUInt32BigEndian(span, Magic);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], Version);
        BinaryPrimitives.WriteInt32BigEndian(span[6..], list.Count);
        int at = 10;
        foreach (ProducerSnapshotEntry entry in list)
        {
            BinaryPrimitives.WriteInt64BigEndian(span[at..], entry.ProducerId);
            BinaryPrimitives.WriteInt16BigEndian(span[(at + 8)..], entry.Epoch);
            BinaryPrimitives.WriteInt32BigEndian(span[(at + 10)..], entry.LastSequence);
            BinaryPrimitives.WriteInt16BigEndian(span[(at + 14)..], (short)entry.Batches.Count);
            at += 16;
            foreach (ProducerBatch batch in entry.Batches)
            {
                BinaryPrimitives.WriteInt32BigEndian(span[at..], batch.BaseSequence);
                BinaryPrimitives.WriteInt32BigEndian(span[(at + 4)..], batch.LastSequence);
                BinaryPrimitives.WriteInt64BigEndian(span[(at + 8)..], batch.BaseOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(at + 16)..], batch.LastOffset);
                BinaryPrimitives.WriteInt64BigEndian(span[(at + 24)..], batch.LogAppendTimeMs);
                at += BatchBytes;
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(span[at..], Crc32C.Compute(span[..at]));
        return bytes;
    }

    internal static IReadOnlyList<ProducerSnapshotEntry> Deserialize(ReadOnlySpan<byte> span)
    {
        if (span.Length < 14 || BinaryPrimitives.ReadUInt32BigEndian(span) != Magic)
        {
            throw new InvalidDataException($"not a producer-state snapshot ({span.Length} bytes, no OLPS magic)");
        }

        uint stored = BinaryPrimitives.ReadUInt32BigEndian(span[^4..]);
        uint computed = Crc32C.Compute(span[..^4]);
        if (stored != computed)
        {
            throw new InvalidDataException($"CRC-32C {computed:x8} does not match the stored {stored:x8}");
        }

        short version = BinaryPrimitives.ReadInt16BigEndian(span[4..]);
        if (version != Version)
        {
            throw new InvalidDataException($"version {version}, expected {Version}");
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(span[6..]);
        var entries = new List<ProducerSnapshotEntry>(Math.Clamp(count, 0, 1 << 16));
        int at = 10;
        int end = span.Length - 4;
        for (int i = 0; i < count; i++)
        {
            if (at + 16 > end)
            {
                throw new InvalidDataException($"entry {i} of {count} runs past the end");
            }

            long producerId = BinaryPrimitives.ReadInt64BigEndian(span[at..]);
            short epoch = BinaryPrimitives.ReadInt16BigEndian(span[(at + 8)..]);
            int lastSequence = BinaryPrimitives.ReadInt32BigEndian(span[(at + 10)..]);
            short batches = BinaryPrimitives.ReadInt16BigEndian(span[(at + 14)..]);
            at += 16;
            if (batches < 0 || at + (batches * BatchBytes) > end)
            {
                throw new InvalidDataException($"entry {i} of {count} claims {batches} batches past the end");
            }

            var retained = new ProducerBatch[batches];
            for (int b = 0; b < batches; b++, at += BatchBytes)
            {
                retained[b] = new ProducerBatch(
                    BinaryPrimitives.ReadInt32BigEndian(span[at..]),
                    BinaryPrimitives.ReadInt32BigEndian(span[(at + 4)..]),
                    BinaryPrimitives.ReadInt64BigEndian(span[(at + 8)..]),
                    BinaryPrimitives.ReadInt64BigEndian(span[(at + 16)..]),
                    BinaryPrimitives.ReadInt64BigEndian(span[(at + 24)..]),
                    Completion: null);
            }

            entries.Add(new ProducerSnapshotEntry(producerId, epoch, lastSequence, retained));
        }

        if (at != end)
        {
            throw new InvalidDataException($"{end - at} bytes left after {count} entries");
        }

        return entries;
    }
}
