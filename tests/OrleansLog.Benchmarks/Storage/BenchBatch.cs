using System.Buffers.Binary;
using OrleansLog.Records;

namespace OrleansLog.Benchmarks.Storage;

/// <summary>
/// A framed RecordBatch v2 of a given size with a valid CRC, for storage benchmarks. The records
/// section is opaque filler: the storage engine checks framing, not records.
/// </summary>
internal static class BenchBatch
{
    public static byte[] Create(int totalBytes, int records = 1)
    {
        byte[] batch = new byte[totalBytes];
        Random.Shared.NextBytes(batch.AsSpan(RecordBatchLayout.HeaderSize));
        Span<byte> s = batch;
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.BaseOffsetPosition..], 0);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.BatchLengthPosition..], totalBytes - RecordBatchLayout.LogOverhead);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.PartitionLeaderEpochPosition..], 0);
        s[RecordBatchLayout.MagicPosition] = RecordBatchLayout.CurrentMagic;
        BinaryPrimitives.WriteInt16BigEndian(s[RecordBatchLayout.AttributesPosition..], 0);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.LastOffsetDeltaPosition..], records - 1);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.BaseTimestampPosition..], now);
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.MaxTimestampPosition..], now);
        BinaryPrimitives.WriteInt64BigEndian(s[RecordBatchLayout.ProducerIdPosition..], -1);
        BinaryPrimitives.WriteInt16BigEndian(s[RecordBatchLayout.ProducerEpochPosition..], -1);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.BaseSequencePosition..], -1);
        BinaryPrimitives.WriteInt32BigEndian(s[RecordBatchLayout.RecordsCountPosition..], records);
        BinaryPrimitives.WriteUInt32BigEndian(s[RecordBatchLayout.CrcPosition..], RecordBatchHeader.ComputeCrc(s));
        return batch;
    }
}
