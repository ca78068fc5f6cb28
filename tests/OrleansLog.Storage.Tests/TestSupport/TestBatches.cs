using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Storage.Tests.TestSupport;

/// <summary>
/// Test-only RecordBatch v2 factory: a correct 61-byte header (batchLength, magic 2, CRC-32C,
/// lastOffsetDelta = records − 1, timestamps, no producer id) followed by opaque seeded bytes standing in
/// for the records. The storage engine only checks framing, so these are valid batches to it; this keeps
/// the storage tests independent of the Records builder.
/// </summary>
internal static class TestBatches
{
    public static byte[] Create(int recordCount, int payloadBytes, long timestamp, int seed = 0, long? maxTimestamp = null)
    {
        var batch = new byte[RecordBatchLayout.HeaderSize + payloadBytes];
        Span<byte> span = batch;
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.BaseOffsetPosition..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BatchLengthPosition..], batch.Length - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.PartitionLeaderEpochPosition..], RecordBatchLayout.NoPartitionLeaderEpoch);
        span[RecordBatchLayout.MagicPosition] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.AttributesPosition..], 0);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.LastOffsetDeltaPosition..], recordCount - 1);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.BaseTimestampPosition..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.MaxTimestampPosition..], maxTimestamp ?? timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.ProducerIdPosition..], RecordBatchLayout.NoProducerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.ProducerEpochPosition..], RecordBatchLayout.NoProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BaseSequencePosition..], RecordBatchLayout.NoSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.RecordsCountPosition..], recordCount);
        new Random(seed).NextBytes(span[RecordBatchLayout.HeaderSize..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatchLayout.CrcPosition..], RecordBatchHeader.ComputeCrc(span));
        return batch;
    }

    /// <summary>Splits concatenated stored batches into their headers and bytes.</summary>
    public static List<(RecordBatchHeader Header, byte[] Bytes)> Split(ReadOnlySpan<byte> bytes)
    {
        var batches = new List<(RecordBatchHeader, byte[])>();
        while (bytes.Length > 0)
        {
            RecordBatchHeader header = RecordBatchHeader.Read(bytes);
            batches.Add((header, bytes[..header.SizeInBytes].ToArray()));
            bytes = bytes[header.SizeInBytes..];
        }

        return batches;
    }

    /// <summary>True when the stored CRC matches the bytes.</summary>
    public static bool HasValidCrc(ReadOnlySpan<byte> batch) =>
        RecordBatchHeader.Read(batch).Crc == RecordBatchHeader.ComputeCrc(batch);
}
