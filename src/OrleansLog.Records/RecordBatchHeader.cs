using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OrleansLog.Records;

/// <summary>
/// The 61-byte header of a RecordBatch v2, decoded. Reading a header checks nothing but that the bytes
/// are there; <see cref="RecordBatchValidator"/> decides whether the batch is sound.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly record struct RecordBatchHeader(
    long BaseOffset,
    int BatchLength,
    int PartitionLeaderEpoch,
    byte Magic,
    uint Crc,
    short Attributes,
    int LastOffsetDelta,
    long BaseTimestamp,
    long MaxTimestamp,
    long ProducerId,
    short ProducerEpoch,
    int BaseSequence,
    int RecordsCount)
{
    /// <summary>Total size of the batch on disk and on the wire: batchLength + 12.</summary>
    public int SizeInBytes => BatchLength + RecordBatchLayout.LogOverhead;

    /// <summary>Offset of the last record: baseOffset + lastOffsetDelta.</summary>
    public long LastOffset => BaseOffset + LastOffsetDelta;

    /// <summary>The offset after this batch.</summary>
    public long NextOffset => LastOffset + 1;

    public CompressionType Compression => (CompressionType)(Attributes & RecordBatchLayout.CompressionCodecMask);

    public bool IsLogAppendTime => (Attributes & RecordBatchLayout.TimestampTypeMask) != 0;

    public bool IsTransactional => (Attributes & RecordBatchLayout.TransactionalFlagMask) != 0;

    public bool IsControl => (Attributes & RecordBatchLayout.ControlFlagMask) != 0;

    public bool HasProducerId => ProducerId != RecordBatchLayout.NoProducerId;

    /// <summary>Last sequence number of an idempotent batch (baseSequence + lastOffsetDelta, wrapping as Kafka does).</summary>
    public int LastSequence => BaseSequence == RecordBatchLayout.NoSequence
        ? RecordBatchLayout.NoSequence
        : (int)(((long)BaseSequence + LastOffsetDelta) % ((long)int.MaxValue + 1));

    /// <summary>Decodes the header at the start of <paramref name="batch"/>, which must hold at least 61 bytes.</summary>
    public static RecordBatchHeader Read(ReadOnlySpan<byte> batch)
    {
        if (batch.Length < RecordBatchLayout.HeaderSize)
        {
            throw new ArgumentException(
                $"A record batch header needs {RecordBatchLayout.HeaderSize} bytes, got {batch.Length}.", nameof(batch));
        }

        return new RecordBatchHeader(
            BaseOffset: BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.BaseOffsetPosition..]),
            BatchLength: BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.BatchLengthPosition..]),
            PartitionLeaderEpoch: BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochPosition..]),
            Magic: batch[RecordBatchLayout.MagicPosition],
            Crc: BinaryPrimitives.ReadUInt32BigEndian(batch[RecordBatchLayout.CrcPosition..]),
            Attributes: BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.AttributesPosition..]),
            LastOffsetDelta: BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.LastOffsetDeltaPosition..]),
            BaseTimestamp: BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.BaseTimestampPosition..]),
            MaxTimestamp: BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.MaxTimestampPosition..]),
            ProducerId: BinaryPrimitives.ReadInt64BigEndian(batch[RecordBatchLayout.ProducerIdPosition..]),
            ProducerEpoch: BinaryPrimitives.ReadInt16BigEndian(batch[RecordBatchLayout.ProducerEpochPosition..]),
            BaseSequence: BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.BaseSequencePosition..]),
            RecordsCount: BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.RecordsCountPosition..]));
    }

    /// <summary>Reads only the batch length field, for scanning a log without decoding whole headers.</summary>
    public static int ReadBatchLength(ReadOnlySpan<byte> batch) =>
        BinaryPrimitives.ReadInt32BigEndian(batch[RecordBatchLayout.BatchLengthPosition..]);

    /// <summary>Stamps baseOffset in place; it is outside the CRC, so the checksum stays valid.</summary>
    public static void WriteBaseOffset(Span<byte> batch, long baseOffset) =>
        BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchLayout.BaseOffsetPosition..], baseOffset);

    /// <summary>Stamps partitionLeaderEpoch in place; it is outside the CRC, so the checksum stays valid.</summary>
    public static void WritePartitionLeaderEpoch(Span<byte> batch, int leaderEpoch) =>
        BinaryPrimitives.WriteInt32BigEndian(batch[RecordBatchLayout.PartitionLeaderEpochPosition..], leaderEpoch);

    /// <summary>Computes the CRC-32C the batch should carry: over attributes..end of the batch.</summary>
    public static uint ComputeCrc(ReadOnlySpan<byte> wholeBatch) =>
        Crc32C.Compute(wholeBatch[RecordBatchLayout.CrcCoveredStart..]);

    /// <summary>
    /// Recomputes the CRC over attributes..end and stores it in place. Needed after changing any
    /// CRC-covered field, such as maxTimestamp for LogAppendTime (Kafka's <c>setMaxTimestamp</c>).
    /// </summary>
    public static void WriteCrc(Span<byte> wholeBatch) =>
        BinaryPrimitives.WriteUInt32BigEndian(wholeBatch[RecordBatchLayout.CrcPosition..], ComputeCrc(wholeBatch));

    /// <summary>
    /// Writes all 61 header bytes, the stored <see cref="Crc"/> included, at the start of
    /// <paramref name="destination"/>. Callers that change covered fields follow up with
    /// <see cref="WriteCrc"/> once the records are in place.
    /// </summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < RecordBatchLayout.HeaderSize)
        {
            throw new ArgumentException(
                $"A record batch header needs {RecordBatchLayout.HeaderSize} bytes, got {destination.Length}.", nameof(destination));
        }

        BinaryPrimitives.WriteInt64BigEndian(destination[RecordBatchLayout.BaseOffsetPosition..], BaseOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchLayout.BatchLengthPosition..], BatchLength);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchLayout.PartitionLeaderEpochPosition..], PartitionLeaderEpoch);
        destination[RecordBatchLayout.MagicPosition] = Magic;
        BinaryPrimitives.WriteUInt32BigEndian(destination[RecordBatchLayout.CrcPosition..], Crc);
        BinaryPrimitives.WriteInt16BigEndian(destination[RecordBatchLayout.AttributesPosition..], Attributes);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchLayout.LastOffsetDeltaPosition..], LastOffsetDelta);
        BinaryPrimitives.WriteInt64BigEndian(destination[RecordBatchLayout.BaseTimestampPosition..], BaseTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[RecordBatchLayout.MaxTimestampPosition..], MaxTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(destination[RecordBatchLayout.ProducerIdPosition..], ProducerId);
        BinaryPrimitives.WriteInt16BigEndian(destination[RecordBatchLayout.ProducerEpochPosition..], ProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchLayout.BaseSequencePosition..], BaseSequence);
        BinaryPrimitives.WriteInt32BigEndian(destination[RecordBatchLayout.RecordsCountPosition..], RecordsCount);
    }
}
