namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the broker's gate: every kind of damaged or illegal batch must be rejected with the error
/// code Kafka would return, and a message that names the field with expected and actual values. A
/// batch let through here is stored as is and served to every consumer.
/// </summary>
public sealed class RecordBatchValidatorTests
{
    // Record 1 of the two-record batch starts at 61 + 10; its offsetDelta byte is the fourth.
    private const int SecondRecordOffsetDeltaPosition = RecordBatchLayout.HeaderSize + 10 + 3;

    private static byte[] TwoRecordBatch(CompressionType codec = CompressionType.None) =>
        TestBatches.Build(
            [
                new TestRecord(1000, "k"u8.ToArray(), "v1"u8.ToArray(), []),
                new TestRecord(1005, null, "v2"u8.ToArray(), [new TestHeader("h", "x"u8.ToArray())]),
            ],
            codec);

    public static TheoryData<CompressionType> CompressedCodecs() =>
        new(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd);

    [Fact]
    public void Validate_AcceptsBatchOfExactlyMaxBatchBytes()
    {
        byte[] batch = TwoRecordBatch();

        BatchValidationResult result = RecordBatchValidator.Validate(batch, maxBatchBytes: batch.Length);

        Assert.True(result.IsValid, result.Message);
        Assert.Null(result.Message);
    }

    [Fact]
    public void Validate_RejectsBatchOneByteOverMaxBatchBytes_AsMessageTooLarge()
    {
        byte[] batch = TwoRecordBatch();

        BatchValidationResult result = RecordBatchValidator.Validate(batch, maxBatchBytes: batch.Length - 1);

        AssertRejected(result, ErrorCode.MessageTooLarge, $"batch size expected at most {batch.Length - 1} bytes, actual {batch.Length}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(12)]
    [InlineData(60)]
    public void Validate_RejectsBufferShorterThanHeader_AsCorruptMessage(int length)
    {
        byte[] batch = TwoRecordBatch()[..length];

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, $"batch size expected at least 61 bytes, actual {length}");
    }

    [Fact]
    public void Validate_RejectsTruncatedBatch_AsCorruptMessage()
    {
        byte[] full = TwoRecordBatch();
        byte[] truncated = full[..^1];

        BatchValidationResult result = RecordBatchValidator.Validate(truncated, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, $"batchLength expected {truncated.Length - 12} (buffer length - 12), actual {full.Length - 12}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(int.MaxValue - 72)]
    public void Validate_RejectsBatchLengthFieldDisagreeingWithBuffer_AsCorruptMessage(int delta)
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt32(batch, RecordBatchLayout.BatchLengthPosition, batch.Length - 12 + delta);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, "batchLength expected");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void Validate_RejectsWrongMagic_AsCorruptMessage(byte magic)
    {
        byte[] batch = TwoRecordBatch();
        batch[RecordBatchLayout.MagicPosition] = magic;

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, $"magic expected 2, actual {magic}");
    }

    [Fact]
    public void Validate_RejectsBatchWithFlippedCrcByte_AsCorruptMessage()
    {
        byte[] batch = TwoRecordBatch();
        uint stored = RecordBatchHeader.Read(batch).Crc;
        batch[RecordBatchLayout.CrcPosition + 2] ^= 0x10;

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, $"crc expected 0x{stored:X8}, actual 0x{stored ^ 0x1000:X8} (batch of {batch.Length} bytes)");
    }

    [Fact]
    public void Validate_RejectsFlippedByteInRecords_AsCorruptMessage()
    {
        byte[] batch = TwoRecordBatch();
        batch[^1] ^= 0x01;

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, "crc expected");
    }

    [Fact]
    public void Validate_RejectsRecordCountHigherThanRecordsPresent_AsInvalidRecord()
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt32(batch, RecordBatchLayout.RecordsCountPosition, 3);
        TestBatches.WriteInt32(batch, RecordBatchLayout.LastOffsetDeltaPosition, 2);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.InvalidRecord, "recordsCount expected 2 (records decoded), actual 3");
    }

    [Fact]
    public void Validate_RejectsRecordCountLowerThanRecordsPresent_AsInvalidRecord()
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt32(batch, RecordBatchLayout.RecordsCountPosition, 1);
        TestBatches.WriteInt32(batch, RecordBatchLayout.LastOffsetDeltaPosition, 0);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.InvalidRecord, "recordsCount expected 2 (records decoded), actual 1");
    }

    [Fact]
    public void Validate_RejectsZeroRecordCount_AsInvalidRecord()
    {
        byte[] batch = TwoRecordBatch()[..RecordBatchLayout.HeaderSize];
        TestBatches.FixLength(batch);
        TestBatches.WriteInt32(batch, RecordBatchLayout.RecordsCountPosition, 0);
        TestBatches.WriteInt32(batch, RecordBatchLayout.LastOffsetDeltaPosition, -1);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.InvalidRecord, "recordsCount expected > 0, actual 0");
    }

    [Fact]
    public void Validate_RejectsLastOffsetDeltaNotCountMinusOne_AsInvalidRecord()
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt32(batch, RecordBatchLayout.LastOffsetDeltaPosition, 5);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.InvalidRecord, "lastOffsetDelta expected 1 (recordsCount - 1), actual 5");
    }

    [Fact]
    public void Validate_RejectsOffsetDeltasOutOfOrder_AsInvalidRecord()
    {
        byte[] batch = TwoRecordBatch();
        Assert.Equal(0x02, batch[SecondRecordOffsetDeltaPosition]); // zig-zag 1
        batch[SecondRecordOffsetDeltaPosition] = 0x00;              // now 0, a repeat of record 0's
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.InvalidRecord, "record 1 at position 10: offsetDelta expected 1, actual 0");
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    public void Validate_RejectsUnknownCodec_AsUnsupportedCompressionType(short codec)
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt16(batch, RecordBatchLayout.AttributesPosition, codec);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.UnsupportedCompressionType, $"compression codec expected 0..4 (none, gzip, snappy, lz4, zstd), actual {codec}");
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Validate_RejectsCompressedPayloadWithDamagedCodecHeader_AsCorruptMessage(CompressionType codec)
    {
        byte[] batch = TwoRecordBatch(codec);
        batch[RecordBatchLayout.HeaderSize] ^= 0xFF;
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, "does not decompress");
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Validate_RejectsCompressedPayloadReplacedByGarbage_AsCorruptMessage(CompressionType codec)
    {
        byte[] batch = TwoRecordBatch(codec);
        batch.AsSpan(RecordBatchLayout.HeaderSize).Fill(0xFF);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, $"{codec} records section of {batch.Length - 61} bytes does not decompress");
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Validate_RejectsTruncatedCompressedPayload(CompressionType codec)
    {
        byte[] full = TestBatches.Build(TestBatches.SampleRecords(200), codec);
        byte[] batch = full[..(RecordBatchLayout.HeaderSize + ((full.Length - RecordBatchLayout.HeaderSize) / 2))];
        TestBatches.FixLength(batch);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        // Cut mid-stream, a codec either notices (gzip, lz4, zstd, snappy chunk lengths) or yields a
        // short records section whose last record runs off the end: corrupt either way.
        AssertRejected(result, ErrorCode.CorruptMessage, string.Empty);
    }

    [Fact]
    public void Validate_DoesNotModifyCompressedBatch()
    {
        byte[] batch = TestBatches.Build(TestBatches.SampleRecords(100), CompressionType.Zstd);
        byte[] copy = (byte[])batch.Clone();

        Assert.True(RecordBatchValidator.Validate(batch, int.MaxValue).IsValid);

        Assert.Equal(copy, batch);
    }

    [Fact]
    public void Validate_RejectsRecordLengthRunningPastBatchEnd_AsCorruptMessage()
    {
        byte[] batch = TwoRecordBatch();
        batch[RecordBatchLayout.HeaderSize] = 0x7E; // record 0 length 63, but only 23 bytes of records exist
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, "record 0 at position 0: length expected 0..22 (bytes left in the records section), actual 63");
    }

    [Fact]
    public void Validate_RejectsRecordLengthShorterThanItsFields_AsCorruptMessage()
    {
        byte[] batch = TwoRecordBatch();
        batch[RecordBatchLayout.HeaderSize] = 0x10; // record 0 length 8, but its fields use 9 bytes
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, "record 0 at position 0: headerCount varint is malformed or runs past the record's end");
    }

    [Fact]
    public void Validate_RejectsVarintLongerThanFiveBytes_AsCorruptMessage()
    {
        byte[] batch = [.. TwoRecordBatch()[..RecordBatchLayout.HeaderSize], 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        TestBatches.FixLength(batch);
        TestBatches.WriteInt32(batch, RecordBatchLayout.RecordsCountPosition, 1);
        TestBatches.WriteInt32(batch, RecordBatchLayout.LastOffsetDeltaPosition, 0);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, "record 0 at position 0: length varint is truncated or longer than 5 bytes");
    }

    [Fact]
    public void Validate_RejectsNegativeHeaderCount_AsCorruptMessage()
    {
        byte[] batch = TwoRecordBatch();
        int headerCountPosition = RecordBatchLayout.HeaderSize + 10 + 8;
        Assert.Equal(0x02, batch[headerCountPosition]);
        batch[headerCountPosition] = 0x01; // -1
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.CorruptMessage, "record 1 at position 10: headerCount expected >= 0, actual -1");
    }

    [Fact]
    public void Validate_RejectsControlBatchFromProducer_AsInvalidRecord()
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt16(batch, RecordBatchLayout.AttributesPosition, RecordBatchLayout.ControlFlagMask);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.InvalidRecord, "attributes expected no control flag (0x0020) from a producer, actual 0x0020");
        Assert.True(RecordBatchValidator.Validate(batch, int.MaxValue, allowControlBatch: true).IsValid);
    }

    [Fact]
    public void Validate_RejectsMaxTimestampBelowARecordTimestamp_AsInvalidTimestamp()
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt64(batch, RecordBatchLayout.MaxTimestampPosition, 1004);
        TestBatches.FixCrc(batch);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        AssertRejected(result, ErrorCode.InvalidTimestamp, "maxTimestamp expected >= 1005 (largest record timestamp), actual 1004");
    }

    [Fact]
    public void Validate_IgnoresStampedBaseOffsetAndLeaderEpoch_BecauseTheyAreOutsideTheCrc()
    {
        byte[] batch = TwoRecordBatch();
        RecordBatchHeader.WriteBaseOffset(batch, 1_234_567);
        RecordBatchHeader.WritePartitionLeaderEpoch(batch, 42);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(1_234_567, result.Header.BaseOffset);
        Assert.Equal(1_234_568, result.Header.LastOffset);
        Assert.Equal(42, result.Header.PartitionLeaderEpoch);
    }

    [Fact]
    public void ValidateFraming_AcceptsBatchWhoseRecordsDoNotDecode_BecauseItDoesNotReadThem()
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt32(batch, RecordBatchLayout.RecordsCountPosition, 9);
        TestBatches.FixCrc(batch);

        Assert.True(RecordBatchValidator.ValidateFraming(batch).IsValid);
        Assert.False(RecordBatchValidator.Validate(batch, int.MaxValue).IsValid);
    }

    [Fact]
    public void ValidateFraming_RejectsFlippedCrcByte_AsCorruptMessage()
    {
        byte[] batch = TwoRecordBatch();
        batch[RecordBatchLayout.CrcPosition] ^= 0x80;

        AssertRejected(RecordBatchValidator.ValidateFraming(batch), ErrorCode.CorruptMessage, "crc expected");
    }

    [Fact]
    public void ValidateFraming_RejectsNegativeLastOffsetDelta_AsCorruptMessage()
    {
        byte[] batch = TwoRecordBatch();
        TestBatches.WriteInt32(batch, RecordBatchLayout.LastOffsetDeltaPosition, -1);
        TestBatches.FixCrc(batch);

        AssertRejected(RecordBatchValidator.ValidateFraming(batch), ErrorCode.CorruptMessage, "lastOffsetDelta expected >= 0, actual -1");
    }

    [Fact]
    public void ValidateFraming_RejectsTruncatedBatch_AsCorruptMessage()
    {
        byte[] batch = TwoRecordBatch()[..70];

        AssertRejected(RecordBatchValidator.ValidateFraming(batch), ErrorCode.CorruptMessage, "batchLength expected 58");
    }

    private static void AssertRejected(BatchValidationResult result, ErrorCode expected, string messagePart)
    {
        Assert.False(result.IsValid, $"expected {expected}, but the batch was accepted");
        Assert.True(expected == result.Error, $"expected {expected}, actual {result.Error}: {result.Message}");
        Assert.NotNull(result.Message);
        Assert.StartsWith($"{expected}: ", result.Message, StringComparison.Ordinal);
        Assert.Contains(messagePart, result.Message, StringComparison.Ordinal);
        Assert.EndsWith(" bytes)", result.Message, StringComparison.Ordinal);
    }
}
