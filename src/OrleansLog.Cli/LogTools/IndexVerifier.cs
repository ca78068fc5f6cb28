using System.Buffers.Binary;

namespace OrleansLog.Cli.LogTools;

/// <summary>
/// Checks a segment's <c>.index</c> and <c>.timeindex</c> against the batches its <c>.log</c> holds (Kafka's
/// <c>DumpLogSegments --index-sanity-check</c>, and more): every offset-index entry must point at the start
/// of a batch and name that batch's last offset, with both columns strictly increasing; every time-index
/// entry must name the last offset of a batch whose maxTimestamp is the entry's timestamp, with no earlier
/// batch later in time, timestamps strictly increasing and offsets never decreasing. A missing index is
/// not a problem (the broker builds it on open); a wrong one is reported, although the broker never trusts
/// an index over the log and rebuilds an implausible one, because it points at something else being wrong.
/// </summary>
internal static class IndexVerifier
{
    private const int OffsetEntrySize = 8;
    private const int TimeEntrySize = 12;

    /// <summary>One valid batch of the segment, in file order.</summary>
    public readonly record struct IndexedBatch(long Position, long LastOffset, long MaxTimestamp);

    /// <summary>Checks the index files beside <paramref name="logPath"/>; returns how many there were.</summary>
    public static int Verify(string logPath, long baseOffset, long logSize, IReadOnlyList<IndexedBatch> batches, List<LogProblem> problems)
    {
        string stem = logPath[..^".log".Length];
        return VerifyOffsetIndex(stem + ".index", baseOffset, logSize, batches, problems)
            + VerifyTimeIndex(stem + ".timeindex", baseOffset, batches, problems);
    }

    private static int VerifyOffsetIndex(string path, long baseOffset, long logSize, IReadOnlyList<IndexedBatch> batches, List<LogProblem> problems)
    {
        if (!TryReadEntries(path, OffsetEntrySize, problems, out byte[] bytes))
        {
            return File.Exists(path) ? 1 : 0;
        }

        var byPosition = new Dictionary<long, long>(batches.Count);
        foreach (IndexedBatch batch in batches)
        {
            byPosition[batch.Position] = batch.LastOffset;
        }

        long previousOffset = -1;
        long previousPosition = -1;
        for (int i = 0; i < bytes.Length / OffsetEntrySize; i++)
        {
            long offset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * OffsetEntrySize));
            long position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * OffsetEntrySize + 4));
            long entryAt = (long)i * OffsetEntrySize;
            if (offset <= previousOffset || position <= previousPosition)
            {
                problems.Add(new LogProblem(path, entryAt, $"entry {i} (offset {offset}, position {position}) expected above the previous entry (offset {previousOffset}, position {previousPosition})"));
            }
            else if (position >= logSize)
            {
                problems.Add(new LogProblem(path, entryAt, $"entry {i} points at position {position}, expected below the log size {logSize}"));
            }
            else if (!byPosition.TryGetValue(position, out long lastOffset))
            {
                problems.Add(new LogProblem(path, entryAt, $"entry {i} points at position {position}, where no valid batch of the log starts"));
            }
            else if (lastOffset != offset)
            {
                problems.Add(new LogProblem(path, entryAt, $"entry {i} at position {position} names offset {offset}, but the batch there ends at offset {lastOffset}"));
            }

            previousOffset = offset;
            previousPosition = position;
        }

        return 1;
    }

    private static int VerifyTimeIndex(string path, long baseOffset, IReadOnlyList<IndexedBatch> batches, List<LogProblem> problems)
    {
        if (!TryReadEntries(path, TimeEntrySize, problems, out byte[] bytes))
        {
            return File.Exists(path) ? 1 : 0;
        }

        // Per batch end: its own maxTimestamp and the largest timestamp of the batches before it.
        var byLastOffset = new Dictionary<long, (long MaxTimestamp, long EarlierMax)>(batches.Count);
        long runningMax = -1;
        foreach (IndexedBatch batch in batches)
        {
            byLastOffset[batch.LastOffset] = (batch.MaxTimestamp, runningMax);
            runningMax = Math.Max(runningMax, batch.MaxTimestamp);
        }

        long previousTimestamp = long.MinValue;
        long previousOffset = long.MinValue;
        for (int i = 0; i < bytes.Length / TimeEntrySize; i++)
        {
            long timestamp = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(i * TimeEntrySize));
            long offset = baseOffset + BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(i * TimeEntrySize + 8));
            long entryAt = (long)i * TimeEntrySize;
            if (timestamp <= previousTimestamp || offset < previousOffset)
            {
                problems.Add(new LogProblem(path, entryAt, $"entry {i} (timestamp {timestamp}, offset {offset}) expected a timestamp above {previousTimestamp} and an offset not below {previousOffset}"));
            }
            else if (!byLastOffset.TryGetValue(offset, out var batch))
            {
                problems.Add(new LogProblem(path, entryAt, $"entry {i} names offset {offset}, where no valid batch of the log ends"));
            }
            else if (batch.MaxTimestamp != timestamp)
            {
                problems.Add(new LogProblem(path, entryAt, $"entry {i} says timestamp {timestamp} at offset {offset}, but the batch ending there has maxTimestamp {batch.MaxTimestamp}"));
            }
            else if (batch.EarlierMax > timestamp)
            {
                problems.Add(new LogProblem(path, entryAt, $"entry {i} says timestamp {timestamp} at offset {offset}, but an earlier batch has timestamp {batch.EarlierMax}"));
            }

            previousTimestamp = timestamp;
            previousOffset = offset;
        }

        return 1;
    }

    private static bool TryReadEntries(string path, int entrySize, List<LogProblem> problems, out byte[] bytes)
    {
        bytes = [];
        if (!File.Exists(path))
        {
            return false;
        }

        bytes = File.ReadAllBytes(path);
        if (bytes.Length % entrySize != 0)
        {
            problems.Add(new LogProblem(path, 0, $"size expected a multiple of {entrySize} bytes, actual {bytes.Length}"));
            return false;
        }

        return true;
    }
}
