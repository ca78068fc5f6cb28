using System.Text;
using OrleansLog.Records;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects how fetched bytes become records: whole batches in, records below the requested offset out,
/// control batches skipped, a partial trailing batch ignored, and the next fetch offset after the last
/// complete batch; and that <see cref="FetchParser.Scan"/> (which checks a fetch without copying it) agrees
/// with Parse on counts and offsets and rejects a damaged batch.
/// </summary>
public sealed class FetchParserTests
{
    private static readonly TopicPartition Tp = new("events", 3);

    [Fact]
    public void Parse_SkipsRecordsBelowTheRequestedOffset_AndReturnsTheOffsetAfterTheLastBatch()
    {
        byte[] data = [.. Batch(10, "a", "b", "c"), .. Batch(13, "d")];
        var records = new List<ConsumeResult>();

        long next = FetchParser.Parse(data, Tp, 11, verifyCrc: true, new RecordBatchReader(), records);

        Assert.Equal([11L, 12, 13], records.Select(r => r.Offset));
        Assert.Equal(["b", "c", "d"], records.Select(r => r.ValueAsString()));
        Assert.Equal(14, next);
    }

    [Fact]
    public void Parse_IgnoresAPartialTrailingBatch()
    {
        byte[] second = Batch(2, "c");
        byte[] data = [.. Batch(0, "a", "b"), .. second.AsSpan(0, second.Length - 5)];
        var records = new List<ConsumeResult>();

        long next = FetchParser.Parse(data, Tp, 0, verifyCrc: true, new RecordBatchReader(), records);

        Assert.Equal([0L, 1], records.Select(r => r.Offset));
        Assert.Equal(2, next);
    }

    [Fact]
    public void Parse_WithNoCompleteBatch_KeepsTheRequestedOffset()
    {
        var records = new List<ConsumeResult>();
        Assert.Equal(7, FetchParser.Parse(new byte[20], Tp, 7, verifyCrc: true, new RecordBatchReader(), records));
        Assert.Empty(records);
    }

    [Fact]
    public void Parse_CopiesKeysAndValues_SoTheyOutliveTheFetchBuffer()
    {
        byte[] data = Batch(0, "value");
        var records = new List<ConsumeResult>();
        FetchParser.Parse(data, Tp, 0, verifyCrc: true, new RecordBatchReader(), records);
        Array.Clear(data);
        Assert.Equal("value", Assert.Single(records).ValueAsString());
        Assert.Equal(Tp, records[0].TopicPartition);
    }

    [Fact]
    public void Parse_ReadsCompressedBatches()
    {
        using var builder = new RecordBatchBuilder(CompressionType.Lz4, 1 << 20);
        builder.TryAppend(1, null, Encoding.UTF8.GetBytes(new string('z', 500)));
        builder.TryAppend(2, null, Encoding.UTF8.GetBytes("tail"));
        var records = new List<ConsumeResult>();

        FetchParser.Parse(builder.SealToArray(), Tp, 1, verifyCrc: true, new RecordBatchReader(), records);

        Assert.Equal("tail", Assert.Single(records).ValueAsString());
    }

    [Fact]
    public void Scan_CountsTheRecordsParseWouldReturn_WithTheirLastOffset_AndTheNextFetchOffset()
    {
        byte[] second = Batch(13, "d");
        byte[] data = [.. Batch(10, "a", "b", "c"), .. second, .. Batch(14, "e").AsSpan(0, 30)];

        FetchScan scan = FetchParser.Scan(data, 11, verifyCrc: true, new RecordBatchReader());

        Assert.Equal(14, scan.NextOffset);
        Assert.Equal(3, scan.Count);
        Assert.Equal(13, scan.LastOffset);
        Assert.Null(scan.Corrupt);
    }

    [Fact]
    public void Scan_DamagedFirstBatch_IsCorruptMessage_NamingItsOffsets_WithNothingValid()
    {
        byte[] data = Batch(5, "a", "b");
        data[^1] ^= 0xFF;

        FetchScan scan = FetchParser.Scan(data, 5, verifyCrc: true, new RecordBatchReader());

        Assert.Equal((5L, 0, 0), (scan.NextOffset, scan.Count, scan.ValidLength));
        CorruptBatch corrupt = Assert.IsType<CorruptBatch>(scan.Corrupt);
        Assert.Equal((5L, 6L, ErrorCode.CorruptMessage), (corrupt.BaseOffset, corrupt.LastOffset, corrupt.Problem.Error));
        OrleansLogException error = corrupt.ToException(Tp);
        Assert.StartsWith($"The batch at offsets 5..6 of {Tp} is corrupt: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("seek to offset 7 to skip the batch.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_DamagedBatchAfterValidOnes_KeepsTheValidPrefix_AndStopsAtTheDamagedBatch()
    {
        byte[] first = Batch(10, "a", "b");
        byte[] second = Batch(12, "c");
        byte[] damaged = Batch(13, "d", "e");
        damaged[^1] ^= 0xFF;
        byte[] data = [.. first, .. second, .. damaged, .. Batch(15, "f")];

        FetchScan scan = FetchParser.Scan(data, 11, verifyCrc: true, new RecordBatchReader());

        Assert.Equal(13, scan.NextOffset);
        Assert.Equal((2, 12L), (scan.Count, scan.LastOffset));
        Assert.Equal(first.Length + second.Length, scan.ValidLength);
        Assert.Equal((13L, 14L), (scan.Corrupt!.BaseOffset, scan.Corrupt.LastOffset));
        var records = new List<ConsumeResult>();
        FetchParser.Parse(data.AsMemory(0, scan.ValidLength), Tp, 11, verifyCrc: true, new RecordBatchReader(), records);
        Assert.Equal([11L, 12], records.Select(r => r.Offset));
    }

    private static byte[] Batch(long baseOffset, params string[] values)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, 1 << 20);
        foreach (string value in values)
        {
            builder.TryAppend(1000, null, Encoding.UTF8.GetBytes(value));
        }

        byte[] bytes = builder.SealToArray();
        RecordBatchHeader.WriteBaseOffset(bytes, baseOffset);
        return bytes;
    }
}
