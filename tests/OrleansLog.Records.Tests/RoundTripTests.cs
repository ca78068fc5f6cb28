namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the build → validate → read cycle for every codec Kafka defines, including the edge values
/// that differ on the wire: null versus empty keys and values, null header values, and batches large
/// enough to span many compression blocks.
/// </summary>
public sealed class RoundTripTests
{
    public static TheoryData<CompressionType> Codecs() => new(TestBatches.AllCodecs);

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_PreservesNullAndEmptyKeysValuesAndHeaders(CompressionType codec)
    {
        TestRecord[] records =
        [
            new(1_000, null, "value"u8.ToArray(), []),
            new(1_001, "key"u8.ToArray(), null, []),
            new(1_002, [], [], []),
            new(1_003, null, null, [new TestHeader("a", null), new TestHeader("", []), new TestHeader("ключ", [1, 2, 3])]),
            new(999, "late"u8.ToArray(), "older timestamp than the first"u8.ToArray(), [new TestHeader("h", [0])]),
        ];

        AssertRoundTrip(records, codec);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_PreservesTenThousandRecords(CompressionType codec)
    {
        AssertRoundTrip(TestBatches.SampleRecords(10_000), codec);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_PreservesValuesLargerThanOneCompressionBlock(CompressionType codec)
    {
        var random = new Random(42);
        byte[] incompressible = new byte[300_000];
        random.NextBytes(incompressible);
        byte[] compressible = new byte[500_000];
        Array.Fill(compressible, (byte)'z');

        AssertRoundTrip([new(1, null, incompressible, []), new(2, [1], compressible, [])], codec);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Builder_SetsHeaderFields_ForEveryCodec(CompressionType codec)
    {
        using var builder = new RecordBatchBuilder(codec);
        builder.SetProducerState(producerId: 77, producerEpoch: 3, baseSequence: 1_000, isTransactional: true);
        Assert.True(builder.TryAppend(50, null, [1]));
        Assert.True(builder.TryAppend(40, null, [2]));
        Assert.True(builder.TryAppend(60, null, [3]));

        RecordBatchHeader header = RecordBatchHeader.Read(builder.Seal().Span);

        Assert.Equal(0, header.BaseOffset);
        Assert.Equal(RecordBatchLayout.NoPartitionLeaderEpoch, header.PartitionLeaderEpoch);
        Assert.Equal(RecordBatchLayout.CurrentMagic, header.Magic);
        Assert.Equal(codec, header.Compression);
        Assert.True(header.IsTransactional);
        Assert.False(header.IsControl);
        Assert.False(header.IsLogAppendTime);
        Assert.Equal(2, header.LastOffsetDelta);
        Assert.Equal(3, header.RecordsCount);
        Assert.Equal(50, header.BaseTimestamp);
        Assert.Equal(60, header.MaxTimestamp);
        Assert.Equal(77, header.ProducerId);
        Assert.Equal(3, header.ProducerEpoch);
        Assert.Equal(1_000, header.BaseSequence);
        Assert.Equal(1_002, header.LastSequence);
        Assert.Equal(builder.Seal().Length, header.SizeInBytes);
    }

    private static void AssertRoundTrip(TestRecord[] records, CompressionType codec)
    {
        byte[] batch = TestBatches.Build(records, codec);

        BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(codec, result.Header.Compression);
        Assert.Equal(records.Length, result.Header.RecordsCount);

        TestBatches.AssertSameRecords(records, TestBatches.ReadAll(batch));
    }
}
