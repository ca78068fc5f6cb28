using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Grains.Tests.Replication.TestSupport;

/// <summary>
/// Test-only RecordBatch v2 factory (copied from the storage tests' <c>TestBatches</c>): a correct 61-byte
/// header with CRC-32C followed by seeded opaque bytes. The log checks framing only, so these are valid
/// batches to it, and different seeds give different bytes, which is how divergent logs are told apart.
/// </summary>
internal static class ReplicaBatches
{
    public static byte[] Create(int recordCount, int payloadBytes, long timestamp, int seed)
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
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.MaxTimestampPosition..], timestamp);
        BinaryPrimitives.WriteInt64BigEndian(span[RecordBatchLayout.ProducerIdPosition..], RecordBatchLayout.NoProducerId);
        BinaryPrimitives.WriteInt16BigEndian(span[RecordBatchLayout.ProducerEpochPosition..], RecordBatchLayout.NoProducerEpoch);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.BaseSequencePosition..], RecordBatchLayout.NoSequence);
        BinaryPrimitives.WriteInt32BigEndian(span[RecordBatchLayout.RecordsCountPosition..], recordCount);
        new Random(seed).NextBytes(span[RecordBatchLayout.HeaderSize..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[RecordBatchLayout.CrcPosition..], RecordBatchHeader.ComputeCrc(span));
        return batch;
    }
}
