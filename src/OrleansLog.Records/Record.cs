using System.Runtime.InteropServices;

namespace OrleansLog.Records;

/// <summary>
/// One record read out of a batch. Key, value and headers are slices of the batch bytes (or, for a
/// compressed batch, of the reader's decompression buffer), so reading costs no allocation.
/// </summary>
/// <remarks>
/// Lifetime: for an uncompressed batch the slices are valid as long as the batch memory is. For a
/// compressed batch they point into pooled memory owned by the <see cref="RecordBatchReader"/> and are
/// valid only until that reader is reset or disposed; copy them (<see cref="KeyToArray"/>,
/// <see cref="ValueToArray"/>) to keep them longer.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct Record
{
    internal Record(
        long offset,
        int offsetDelta,
        long timestamp,
        ReadOnlyMemory<byte> key,
        bool keyIsNull,
        ReadOnlyMemory<byte> value,
        bool valueIsNull,
        RecordHeaders headers,
        int sizeInBytes)
    {
        Offset = offset;
        OffsetDelta = offsetDelta;
        Timestamp = timestamp;
        Key = key;
        KeyIsNull = keyIsNull;
        Value = value;
        ValueIsNull = valueIsNull;
        Headers = headers;
        SizeInBytes = sizeInBytes;
    }

    /// <summary>baseOffset + offsetDelta.</summary>
    public long Offset { get; }

    /// <summary>The record's offset relative to its batch's baseOffset.</summary>
    public int OffsetDelta { get; }

    /// <summary>
    /// Milliseconds since the epoch: baseTimestamp + timestampDelta for CreateTime batches, the batch's
    /// maxTimestamp for LogAppendTime batches (the broker's append time, as Kafka reports it).
    /// </summary>
    public long Timestamp { get; }

    /// <summary>The key; empty when <see cref="KeyIsNull"/>.</summary>
    public ReadOnlyMemory<byte> Key { get; }

    /// <summary>True when the key is null (length -1), which differs from an empty key.</summary>
    public bool KeyIsNull { get; }

    /// <summary>The value; empty when <see cref="ValueIsNull"/>.</summary>
    public ReadOnlyMemory<byte> Value { get; }

    /// <summary>True when the value is null: a tombstone on a compacted topic.</summary>
    public bool ValueIsNull { get; }

    public RecordHeaders Headers { get; }

    /// <summary>Encoded size of the record including its length varint, before compression.</summary>
    public int SizeInBytes { get; }

    /// <summary>Copies the key out, or returns null for a null key; allocates.</summary>
    public byte[]? KeyToArray() => KeyIsNull ? null : Key.ToArray();

    /// <summary>Copies the value out, or returns null for a null value; allocates.</summary>
    public byte[]? ValueToArray() => ValueIsNull ? null : Value.ToArray();

    public override string ToString() =>
        $"offset {Offset}, timestamp {Timestamp}, key {(KeyIsNull ? "null" : Key.Length + " bytes")}, value {(ValueIsNull ? "null" : Value.Length + " bytes")}, {Headers.Count} headers";
}
