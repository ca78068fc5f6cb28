using System.Buffers.Binary;

namespace OrleansLog.Records.Tests;

/// <summary>Builds batches from the test model, reads them back into it, and edits bytes in place.</summary>
internal static class TestBatches
{
    public static readonly CompressionType[] AllCodecs =
        [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

    public static byte[] Build(IReadOnlyList<TestRecord> records, CompressionType compression = CompressionType.None)
    {
        using var builder = new RecordBatchBuilder(compression, int.MaxValue);
        foreach (TestRecord record in records)
        {
            RecordHeader[] headers = Array.ConvertAll(record.Headers, h => h.ToRecordHeader());
            Assert.True(builder.TryAppend(record.Timestamp, record.Key, record.Value, headers), "an unlimited builder must accept every record");
        }

        return builder.SealToArray();
    }

    public static List<TestRecord> ReadAll(byte[] batch)
    {
        var result = new List<TestRecord>();
        foreach (Record record in RecordBatch.EnumerateRecords(batch))
        {
            var headers = new List<TestHeader>();
            foreach (RecordHeader header in record.Headers)
            {
                headers.Add(new TestHeader(header.GetKeyString(), header.ValueToArray()));
            }

            result.Add(new TestRecord(record.Timestamp, record.KeyToArray(), record.ValueToArray(), [.. headers]));
        }

        return result;
    }

    public static void AssertSameRecords(IReadOnlyList<TestRecord> expected, IReadOnlyList<TestRecord> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            TestRecord e = expected[i];
            TestRecord a = actual[i];
            string context = $"record {i}: expected <{e}>, actual <{a}>";
            Assert.True(e.Timestamp == a.Timestamp, context);
            Assert.True(SameBytes(e.Key, a.Key), context);
            Assert.True(SameBytes(e.Value, a.Value), context);
            Assert.True(e.Headers.Length == a.Headers.Length, context);
            for (int h = 0; h < e.Headers.Length; h++)
            {
                Assert.True(e.Headers[h].Key == a.Headers[h].Key && SameBytes(e.Headers[h].Value, a.Headers[h].Value), context);
            }
        }
    }

    public static TestRecord[] SampleRecords(int count)
    {
        var records = new TestRecord[count];
        for (int i = 0; i < count; i++)
        {
            byte[]? key = i % 7 == 3 ? null : BitConverter.GetBytes(i);
            byte[]? value = i % 11 == 5 ? null : System.Text.Encoding.UTF8.GetBytes($"value-{i}-{new string('x', i % 50)}");
            TestHeader[] headers = i % 3 == 0 ? [new TestHeader("trace", [(byte)i]), new TestHeader("empty", null)] : [];
            records[i] = new TestRecord(1_700_000_000_000 + (i * 3), key, value, headers);
        }

        return records;
    }

    /// <summary>Recomputes and stores the CRC after a test edited covered bytes.</summary>
    public static void FixCrc(byte[] batch) => RecordBatchHeader.WriteCrc(batch);

    /// <summary>Sets batchLength to match the array length.</summary>
    public static void FixLength(byte[] batch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(RecordBatchLayout.BatchLengthPosition), batch.Length - RecordBatchLayout.LogOverhead);

    public static void WriteInt16(byte[] batch, int position, short value) =>
        BinaryPrimitives.WriteInt16BigEndian(batch.AsSpan(position), value);

    public static void WriteInt32(byte[] batch, int position, int value) =>
        BinaryPrimitives.WriteInt32BigEndian(batch.AsSpan(position), value);

    public static void WriteInt64(byte[] batch, int position, long value) =>
        BinaryPrimitives.WriteInt64BigEndian(batch.AsSpan(position), value);

    private static bool SameBytes(byte[]? a, byte[]? b) =>
        a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
