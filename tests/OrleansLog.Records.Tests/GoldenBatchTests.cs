namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects byte compatibility with Kafka: the builder must produce exactly the bytes of a batch
/// encoded by hand from the spec, and the reader must decode batches encoded by another, independent
/// Kafka client (sarama's test vectors, one per codec). These are the bytes a Kafka wire gateway will
/// pass through untouched.
/// </summary>
public sealed class GoldenBatchTests
{
    /// <summary>
    /// Two records, encoded by hand from KAFKA-NOTES §1.4. The CRC bytes are zero here and filled in by
    /// the bit-at-a-time reference CRC, which shares no code with the production one.
    /// </summary>
    private static byte[] HandEncodedBatch()
    {
        byte[] batch =
        [
            // ---- header ----
            0, 0, 0, 0, 0, 0, 0, 0,       // baseOffset int64 = 0: the producer sends 0, the leader stamps it
            0, 0, 0, 72,                  // batchLength int32 = 72: 84 bytes total - 12 (baseOffset + batchLength)
            0xFF, 0xFF, 0xFF, 0xFF,       // partitionLeaderEpoch int32 = -1: unknown to a producer
            2,                            // magic int8 = 2
            0, 0, 0, 0,                   // crc uint32: filled in below
            0, 0,                         // attributes int16 = 0: no compression, CreateTime, not transactional, not control
            0, 0, 0, 1,                   // lastOffsetDelta int32 = 1: two records
            0, 0, 0, 0, 0, 0, 0x03, 0xE8, // baseTimestamp int64 = 1000: the first record's timestamp
            0, 0, 0, 0, 0, 0, 0x03, 0xED, // maxTimestamp int64 = 1005
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // producerId int64 = -1: not idempotent
            0xFF, 0xFF,                   // producerEpoch int16 = -1
            0xFF, 0xFF, 0xFF, 0xFF,       // baseSequence int32 = -1
            0, 0, 0, 2,                   // recordsCount int32 = 2

            // ---- record 0: key "k", value "v1", no headers ----
            0x12,                         // length varint = 9 (zig-zag 18)
            0x00,                         // attributes int8 = 0
            0x00,                         // timestampDelta varlong = 0
            0x00,                         // offsetDelta varint = 0
            0x02, (byte)'k',              // keyLength varint = 1 (zig-zag 2), key
            0x04, (byte)'v', (byte)'1',   // valueLength varint = 2 (zig-zag 4), value
            0x00,                         // headerCount varint = 0

            // ---- record 1: null key, value "v2", header h=x ----
            0x18,                         // length varint = 12 (zig-zag 24)
            0x00,                         // attributes int8 = 0
            0x0A,                         // timestampDelta varlong = 5 (zig-zag 10): 1005 - 1000
            0x02,                         // offsetDelta varint = 1 (zig-zag 2)
            0x01,                         // keyLength varint = -1 (zig-zag 1): null key
            0x04, (byte)'v', (byte)'2',   // valueLength varint = 2, value
            0x02,                         // headerCount varint = 1 (zig-zag 2)
            0x02, (byte)'h',              // headerKeyLength varint = 1, header key
            0x02, (byte)'x',              // headerValueLength varint = 1, header value
        ];

        uint crc = ReferenceCrc32C.Compute(batch.AsSpan(RecordBatchLayout.AttributesPosition));
        batch[17] = (byte)(crc >> 24);
        batch[18] = (byte)(crc >> 16);
        batch[19] = (byte)(crc >> 8);
        batch[20] = (byte)crc;
        return batch;
    }

    [Fact]
    public void HandEncodedBatch_IsEightyFourBytes()
    {
        Assert.Equal(84, HandEncodedBatch().Length);
    }

    [Fact]
    public void Builder_ProducesExactlyTheHandEncodedBytes()
    {
        using var builder = new RecordBatchBuilder();
        Assert.True(builder.TryAppend(1000, "k"u8, keyIsNull: false, "v1"u8, valueIsNull: false));
        Assert.True(builder.TryAppend(1005, default, keyIsNull: true, "v2"u8, valueIsNull: false, [new RecordHeader("h", "x"u8.ToArray())]));

        byte[] built = builder.SealToArray();

        Assert.Equal(Convert.ToHexString(HandEncodedBatch()), Convert.ToHexString(built));
    }

    [Fact]
    public void Validate_AcceptsTheHandEncodedBatch()
    {
        byte[] batch = HandEncodedBatch();

        BatchValidationResult result = RecordBatchValidator.Validate(batch, maxBatchBytes: 1024);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(2, result.Header.RecordsCount);
        Assert.Equal(1005, result.Header.MaxTimestamp);
    }

    [Fact]
    public void Reader_DecodesTheHandEncodedBatch()
    {
        byte[] batch = HandEncodedBatch();
        RecordBatchHeader.WriteBaseOffset(batch, 500);

        List<(long Offset, long Timestamp, byte[]? Key, byte[]? Value, RecordHeader[] Headers)> records = [];
        foreach (Record record in RecordBatch.EnumerateRecords(batch))
        {
            records.Add((record.Offset, record.Timestamp, record.KeyToArray(), record.ValueToArray(), record.Headers.ToArray()));
        }

        Assert.Equal(2, records.Count);
        Assert.Equal((500L, 1000L), (records[0].Offset, records[0].Timestamp));
        Assert.Equal("k"u8.ToArray(), records[0].Key);
        Assert.Equal("v1"u8.ToArray(), records[0].Value);
        Assert.Empty(records[0].Headers);
        Assert.Equal((501L, 1005L), (records[1].Offset, records[1].Timestamp));
        Assert.Null(records[1].Key);
        Assert.Equal("v2"u8.ToArray(), records[1].Value);
        RecordHeader header = Assert.Single(records[1].Headers);
        Assert.Equal("h", header.GetKeyString());
        Assert.Equal("x"u8.ToArray(), header.ValueToArray());
    }

    /// <summary>
    /// sarama's record_test.go vectors (IBM/sarama): one record with timestampDelta 5, key 01020304,
    /// value 050607 and header 08090A=0B0C, first timestamp 1479847795000, written by Go code with its
    /// own CRC-32C. maxTimestamp is 0 in these vectors, so only framing is validated here.
    /// </summary>
    public static TheoryData<string, byte[]> SaramaBatches() => new()
    {
        { "none", SaramaBatch(crc: [84, 121, 97, 253], attributes: 0, length: 70,
            [40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12]) },
        { "gzip", SaramaBatch(crc: [231, 74, 206, 165], attributes: 1, length: 95,
            [31, 139, 8, 0, 0, 9, 110, 136, 0, 255, 0, 21, 0, 234, 255, 40, 0, 10, 0, 8, 1, 2,
             3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12, 3, 0, 173, 201, 88, 103, 21, 0, 0, 0]) },
        { "raw snappy", SaramaBatch(crc: [21, 0, 159, 97], attributes: 2, length: 72,
            [21, 80, 40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12]) },
        { "lz4 with content checksum", SaramaBatch(crc: [169, 74, 119, 197], attributes: 3, length: 89,
            [4, 34, 77, 24, 100, 112, 185, 21, 0, 0, 128, 40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2,
             6, 8, 9, 10, 4, 11, 12, 0, 0, 0, 0, 12, 59, 239, 146]) },
    };

    [Theory]
    [MemberData(nameof(SaramaBatches))]
    public void ValidateFraming_AcceptsCrcComputedByAnotherKafkaClient(string codec, byte[] batch)
    {
        BatchValidationResult result = RecordBatchValidator.ValidateFraming(batch);

        Assert.True(result.IsValid, $"{codec}: {result.Message}");
    }

    [Theory]
    [MemberData(nameof(SaramaBatches))]
    public void Reader_DecodesBatchWrittenByAnotherKafkaClient(string codec, byte[] batch)
    {
        AssertSaramaRecord(codec, batch);
    }

    [Fact]
    public void Reader_DecodesXerialFramedSnappy_AsJavaClientWritesIt()
    {
        // snappy-java's SnappyOutputStream header, then one chunk holding sarama's raw snappy block.
        byte[] xerial =
        [
            0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0, // magic
            0, 0, 0, 1,                                                               // version 1
            0, 0, 0, 1,                                                               // min compatible version 1
            0, 0, 0, 23,                                                              // chunk length
            21, 80, 40, 0, 10, 0, 8, 1, 2, 3, 4, 6, 5, 6, 7, 2, 6, 8, 9, 10, 4, 11, 12, // raw snappy block
        ];
        byte[] batch = SaramaBatch(crc: [0, 0, 0, 0], attributes: 2, length: 49 + xerial.Length, xerial);
        TestBatches.FixCrc(batch);

        AssertSaramaRecord("xerial snappy", batch);
    }

    private static void AssertSaramaRecord(string codec, byte[] batch)
    {
        using RecordBatchReader reader = RecordBatch.EnumerateRecords(batch);
        Assert.True(reader.TryReadNext(out Record record), codec);
        Assert.Equal(0, record.Offset);
        Assert.Equal(1479847795000 + 5, record.Timestamp);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, record.KeyToArray());
        Assert.Equal(new byte[] { 5, 6, 7 }, record.ValueToArray());
        RecordHeader header = Assert.Single(record.Headers.ToArray());
        Assert.Equal(new byte[] { 8, 9, 10 }, header.Key.ToArray());
        Assert.Equal(new byte[] { 11, 12 }, header.ValueToArray());
        Assert.False(reader.TryReadNext(out _), codec);
    }

    private static byte[] SaramaBatch(byte[] crc, byte attributes, int length, byte[] records)
    {
        byte[] header =
        [
            0, 0, 0, 0, 0, 0, 0, 0,                 // first offset
            0, 0, 0, (byte)length,                  // length
            0, 0, 0, 0,                             // partition leader epoch
            2,                                      // magic
            crc[0], crc[1], crc[2], crc[3],         // crc
            0, attributes,                          // attributes
            0, 0, 0, 0,                             // last offset delta
            0, 0, 1, 88, 141, 205, 89, 56,          // first timestamp 1479847795000
            0, 0, 0, 0, 0, 0, 0, 0,                 // max timestamp
            0, 0, 0, 0, 0, 0, 0, 0,                 // producer id
            0, 0,                                   // producer epoch
            0, 0, 0, 0,                             // first sequence
            0, 0, 0, 1,                             // number of records
        ];
        return [.. header, .. records];
    }
}
