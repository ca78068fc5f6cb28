namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the consumer's view of a batch: offsets and timestamps computed as Kafka does (including
/// LogAppendTime), CRC verification by default, errors instead of garbage for damaged bytes, and a
/// reusable reader that reads without allocating per record.
/// </summary>
public sealed class RecordBatchReaderTests
{
    [Fact]
    public void Reader_ComputesOffsetsFromTheStampedBaseOffset()
    {
        byte[] batch = TestBatches.Build(TestBatches.SampleRecords(5), CompressionType.Lz4);
        RecordBatchHeader.WriteBaseOffset(batch, 1_000);

        var offsets = new List<long>();
        foreach (Record record in RecordBatch.EnumerateRecords(batch))
        {
            offsets.Add(record.Offset);
        }

        Assert.Equal([1_000L, 1_001L, 1_002L, 1_003L, 1_004L], offsets);
    }

    [Fact]
    public void Reader_ReportsMaxTimestampForEveryRecord_InLogAppendTimeBatches()
    {
        byte[] batch = TestBatches.Build(TestBatches.SampleRecords(3));
        TestBatches.WriteInt16(batch, RecordBatchLayout.AttributesPosition, RecordBatchLayout.TimestampTypeMask);
        TestBatches.WriteInt64(batch, RecordBatchLayout.MaxTimestampPosition, 42);
        TestBatches.FixCrc(batch);

        Assert.True(RecordBatchValidator.Validate(batch, int.MaxValue).IsValid);
        Assert.Equal([42L, 42L, 42L], TestBatches.ReadAll(batch).ConvertAll(r => r.Timestamp));
    }

    [Fact]
    public void Reader_ThrowsCorruptMessage_WhenCrcDoesNotMatch()
    {
        byte[] batch = TestBatches.Build(TestBatches.SampleRecords(3));
        batch[^1] ^= 0xFF;

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatch.EnumerateRecords(batch));

        Assert.Equal(ErrorCode.CorruptMessage, error.Error);
        Assert.Contains("crc expected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reader_SkipsCrcCheck_WhenAskedTo()
    {
        byte[] batch = TestBatches.Build([new TestRecord(1, null, [7], [])]);
        batch[RecordBatchLayout.CrcPosition] ^= 0xFF;

        using RecordBatchReader reader = RecordBatch.EnumerateRecords(batch, verifyCrc: false);

        Assert.True(reader.TryReadNext(out Record record));
        Assert.Equal(new byte[] { 7 }, record.ValueToArray());
    }

    [Fact]
    public void Reader_ThrowsInvalidRecord_WhenFewerRecordsThanCounted()
    {
        byte[] batch = TestBatches.Build(TestBatches.SampleRecords(2));
        TestBatches.WriteInt32(batch, RecordBatchLayout.RecordsCountPosition, 3);
        TestBatches.FixCrc(batch);
        using RecordBatchReader reader = RecordBatch.EnumerateRecords(batch);

        Assert.True(reader.MoveNext());
        Assert.True(reader.MoveNext());
        var error = Assert.Throws<InvalidRecordBatchException>(() => reader.MoveNext());

        Assert.Equal(ErrorCode.InvalidRecord, error.Error);
    }

    [Fact]
    public void Reader_ThrowsCorruptMessage_WhenBytesRemainAfterTheLastCountedRecord()
    {
        byte[] batch = TestBatches.Build(TestBatches.SampleRecords(2));
        TestBatches.WriteInt32(batch, RecordBatchLayout.RecordsCountPosition, 1);
        TestBatches.FixCrc(batch);
        using RecordBatchReader reader = RecordBatch.EnumerateRecords(batch);

        Assert.True(reader.MoveNext());
        var error = Assert.Throws<InvalidRecordBatchException>(() => reader.MoveNext());

        Assert.Equal(ErrorCode.CorruptMessage, error.Error);
    }

    [Fact]
    public void Reader_ThrowsUnsupportedCompressionType_ForUnknownCodec()
    {
        byte[] batch = TestBatches.Build(TestBatches.SampleRecords(1));
        TestBatches.WriteInt16(batch, RecordBatchLayout.AttributesPosition, 6);
        TestBatches.FixCrc(batch);

        var error = Assert.Throws<InvalidRecordBatchException>(() => RecordBatch.EnumerateRecords(batch));

        Assert.Equal(ErrorCode.UnsupportedCompressionType, error.Error);
    }

    [Fact]
    public void Reader_CanBeResetAcrossBatchesOfDifferentCodecs()
    {
        TestRecord[] records = TestBatches.SampleRecords(20);
        using var reader = new RecordBatchReader();
        foreach (CompressionType codec in TestBatches.AllCodecs)
        {
            reader.Reset(TestBatches.Build(records, codec));
            var values = new List<byte[]?>();
            while (reader.TryReadNext(out Record record))
            {
                values.Add(record.ValueToArray());
            }

            Assert.Equal(codec, reader.Header.Compression);
            Assert.Equal(Array.ConvertAll(records, r => r.Value), values);
        }
    }

    [Fact]
    public void Reader_WithoutReset_HasNoRecords()
    {
        using var reader = new RecordBatchReader();

        Assert.False(reader.MoveNext());
    }

    // Gzip (a new GZipStream per batch) and Snappy (Snappier allocates a small helper per block) are
    // left out: they allocate per batch, never per record.
    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public void ReusedReader_AllocatesNothingPerBatch_AfterWarmUp(CompressionType codec)
    {
        byte[] batch = TestBatches.Build(TestBatches.SampleRecords(500), codec);
        using var reader = new RecordBatchReader();
        long checksum = ReadEverything(reader, batch); // warm-up
        checksum += ReadEverything(reader, batch);

        long before = GC.GetAllocatedBytesForCurrentThread();
        checksum += ReadEverything(reader, batch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated == 0, $"{codec}: expected 0 bytes allocated reading 500 records, actual {allocated}");
        Assert.NotEqual(0, checksum);
    }

    private static long ReadEverything(RecordBatchReader reader, byte[] batch)
    {
        long sum = 0;
        reader.Reset(batch);
        while (reader.TryReadNext(out Record record))
        {
            sum += record.Offset + record.Key.Length + record.Value.Length;
            foreach (RecordHeader header in record.Headers)
            {
                sum += header.Key.Length + header.Value.Length;
            }
        }

        return sum;
    }
}
