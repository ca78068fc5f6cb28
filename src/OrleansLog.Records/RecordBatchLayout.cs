namespace OrleansLog.Records;

/// <summary>
/// Byte positions of Kafka's RecordBatch v2 header (magic 2), all big-endian:
/// <code>
///  0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8
/// 17 crc uint32 (CRC-32C over attributes..end) | 21 attributes int16 | 23 lastOffsetDelta int32
/// 27 baseTimestamp int64 | 35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16
/// 53 baseSequence int32 | 57 recordsCount int32 | 61 records…
/// </code>
/// batchLength counts the bytes after itself, so a whole batch is batchLength + 12 bytes. baseOffset,
/// batchLength and partitionLeaderEpoch are outside the CRC, which lets the leader stamp them in place.
/// </summary>
public static class RecordBatchLayout
{
    public const int BaseOffsetPosition = 0;
    public const int BatchLengthPosition = 8;
    public const int PartitionLeaderEpochPosition = 12;
    public const int MagicPosition = 16;
    public const int CrcPosition = 17;
    public const int AttributesPosition = 21;
    public const int LastOffsetDeltaPosition = 23;
    public const int BaseTimestampPosition = 27;
    public const int MaxTimestampPosition = 35;
    public const int ProducerIdPosition = 43;
    public const int ProducerEpochPosition = 51;
    public const int BaseSequencePosition = 53;
    public const int RecordsCountPosition = 57;

    /// <summary>Size of the header before the first record (Kafka's RECORD_BATCH_OVERHEAD).</summary>
    public const int HeaderSize = 61;

    /// <summary>baseOffset + batchLength: the bytes not counted by batchLength (Kafka's LOG_OVERHEAD).</summary>
    public const int LogOverhead = 12;

    /// <summary>The first byte the CRC covers.</summary>
    public const int CrcCoveredStart = AttributesPosition;

    public const byte CurrentMagic = 2;

    /// <summary>attributes bits 0-2.</summary>
    public const short CompressionCodecMask = 0x07;

    /// <summary>attributes bit 3: 0 CreateTime, 1 LogAppendTime.</summary>
    public const short TimestampTypeMask = 0x08;

    /// <summary>attributes bit 4.</summary>
    public const short TransactionalFlagMask = 0x10;

    /// <summary>attributes bit 5.</summary>
    public const short ControlFlagMask = 0x20;

    /// <summary>producerId/baseSequence value of a producer that is not idempotent.</summary>
    public const long NoProducerId = -1;

    public const short NoProducerEpoch = -1;

    public const int NoSequence = -1;

    public const int NoPartitionLeaderEpoch = -1;
}
