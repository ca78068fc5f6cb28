using System.Runtime.CompilerServices;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// Turns the bytes of one fetch (whole RecordBatch v2 batches, back to back, perhaps ending in a partial
/// batch the leader cut off) into <see cref="ConsumeResult"/>s. A fetch starts at the batch that holds the
/// requested offset, so records below that offset are skipped; control batches (transaction markers) are
/// skipped entirely.
/// </summary>
internal static class FetchParser
{
    /// <summary>
    /// Appends the records at or above <paramref name="fromOffset"/> to <paramref name="output"/>, copying
    /// their bytes, and returns the offset to fetch next: just after the last complete batch, or
    /// <paramref name="fromOffset"/> when there was none.
    /// </summary>
    /// <exception cref="InvalidRecordBatchException">A batch failed its CRC or did not decode.</exception>
    public static long Parse(
        ReadOnlyMemory<byte> data,
        TopicPartition topicPartition,
        long fromOffset,
        bool verifyCrc,
        RecordBatchReader reader,
        List<ConsumeResult> output)
    {
        long nextOffset = fromOffset;
        RecordBatchSequenceEnumerator batches = RecordBatchSequence.Enumerate(data);
        try
        {
            while (batches.MoveNext())
            {
                RecordBatchView batch = batches.Current;
                RecordBatchHeader header = batch.Header;
                if (header.NextOffset <= fromOffset)
                {
                    continue;
                }

                nextOffset = Math.Max(nextOffset, header.NextOffset);
                if (header.IsControl)
                {
                    continue;
                }

                reader.Reset(batch.Memory, verifyCrc);
                while (reader.MoveNext())
                {
                    Record record = reader.Current;
                    if (record.Offset < fromOffset)
                    {
                        continue;
                    }

                    output.Add(new ConsumeResult(
                        topicPartition.Topic,
                        topicPartition.Partition,
                        record.Offset,
                        record.Timestamp,
                        record.KeyToArray(),
                        record.ValueToArray(),
                        CopyHeaders(record.Headers)));
                }
            }
        }
        finally
        {
            reader.Dispose();
        }

        return nextOffset;
    }

    /// <summary>
    /// Checks every complete batch (framing, CRC when <paramref name="verifyCrc"/>, and every record) without
    /// copying anything, and counts the data records at or above <paramref name="fromOffset"/>, as far as the
    /// first batch that fails: the batches before it are the fetch's valid prefix (Kafka's consumer, too,
    /// returns the records before a corrupt batch and fails only when it reaches that batch). Run when a fetch
    /// arrives so that handing the records out later cannot fail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static FetchScan Scan(ReadOnlyMemory<byte> data, long fromOffset, bool verifyCrc, RecordBatchReader reader)
    {
        long nextOffset = fromOffset;
        int count = 0;
        long lastOffset = -1;
        int validLength = 0;
        RecordBatchSequenceEnumerator batches = RecordBatchSequence.Enumerate(data);
        try
        {
            while (batches.MoveNext())
            {
                RecordBatchView batch = batches.Current;
                RecordBatchHeader header = batch.Header;
                if (header.NextOffset > fromOffset && !header.IsControl)
                {
                    int counted = 0;
                    long last = -1;
                    try
                    {
                        reader.Reset(batch.Memory, verifyCrc);
                        while (reader.MoveNext())
                        {
                            long offset = reader.Current.Offset;
                            if (offset >= fromOffset)
                            {
                                counted++;
                                last = offset;
                            }
                        }
                    }
                    catch (InvalidRecordBatchException ex)
                    {
                        var corrupt = new CorruptBatch(header.BaseOffset, header.LastOffset, ex);
                        return new FetchScan(nextOffset, count, lastOffset, validLength, corrupt);
                    }

                    count += counted;
                    lastOffset = counted > 0 ? last : lastOffset;
                }

                nextOffset = Math.Max(nextOffset, header.NextOffset);
                validLength = batch.Position + batch.Memory.Length;
            }
        }
        finally
        {
            reader.Dispose();
        }

        return new FetchScan(nextOffset, count, lastOffset, validLength, null);
    }

    private static IReadOnlyList<RecordHeader> CopyHeaders(RecordHeaders headers)
    {
        if (headers.Count == 0)
        {
            return [];
        }

        var copies = new RecordHeader[headers.Count];
        int i = 0;
        foreach (RecordHeader header in headers)
        {
            copies[i++] = new RecordHeader(header.Key.ToArray(), header.ValueIsNull ? ReadOnlyMemory<byte>.Empty : header.Value.ToArray(), header.ValueIsNull);
        }

        return copies;
    }
}
