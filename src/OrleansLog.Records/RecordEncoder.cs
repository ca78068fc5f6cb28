namespace OrleansLog.Records;

/// <summary>
/// Encodes one record exactly as Kafka's <c>DefaultRecord.writeTo</c> does (layout in
/// <see cref="RecordDecoder"/>): attributes are always 0, null key, value and header value are length
/// -1, header keys are UTF-8 bytes and never null. Sizing is a separate step so the builder can check
/// its byte limit before writing anything.
/// </summary>
internal static class RecordEncoder
{
    /// <summary>
    /// Size of the record body (everything after the length varint). A length of -1 means null. Returned
    /// as a long so absurd inputs are caught rather than overflowing.
    /// </summary>
    public static long SizeOfBody(long timestampDelta, int offsetDelta, int keyLength, int valueLength, ReadOnlySpan<RecordHeader> headers)
    {
        long size = 1 // attributes
            + Varint.SizeOfVarlong(timestampDelta)
            + Varint.SizeOfVarint(offsetDelta)
            + SizeOfNullableBytes(keyLength)
            + SizeOfNullableBytes(valueLength)
            + Varint.SizeOfVarint(headers.Length);
        for (int i = 0; i < headers.Length; i++)
        {
            ref readonly RecordHeader header = ref headers[i];
            size += Varint.SizeOfVarint(header.Key.Length) + header.Key.Length;
            size += SizeOfNullableBytes(header.ValueIsNull ? -1 : header.Value.Length);
        }

        return size;
    }

    /// <summary>
    /// Writes the length varint and the body into <paramref name="destination"/>, which must have room
    /// for <c>SizeOfVarint(bodySize) + bodySize</c> bytes, and returns the bytes written.
    /// </summary>
    public static int Write(
        Span<byte> destination,
        int bodySize,
        long timestampDelta,
        int offsetDelta,
        ReadOnlySpan<byte> key,
        bool keyIsNull,
        ReadOnlySpan<byte> value,
        bool valueIsNull,
        ReadOnlySpan<RecordHeader> headers)
    {
        int pos = Varint.WriteVarint(destination, bodySize);
        destination[pos++] = 0; // attributes: unused in v2
        pos += Varint.WriteVarlong(destination[pos..], timestampDelta);
        pos += Varint.WriteVarint(destination[pos..], offsetDelta);
        pos += WriteNullableBytes(destination[pos..], key, keyIsNull);
        pos += WriteNullableBytes(destination[pos..], value, valueIsNull);
        pos += Varint.WriteVarint(destination[pos..], headers.Length);
        for (int i = 0; i < headers.Length; i++)
        {
            ref readonly RecordHeader header = ref headers[i];
            pos += WriteNullableBytes(destination[pos..], header.Key.Span, isNull: false);
            pos += WriteNullableBytes(destination[pos..], header.Value.Span, header.ValueIsNull);
        }

        return pos;
    }

    private static long SizeOfNullableBytes(int length) =>
        length < 0 ? Varint.SizeOfVarint(-1) : Varint.SizeOfVarint(length) + (long)length;

    private static int WriteNullableBytes(Span<byte> destination, ReadOnlySpan<byte> bytes, bool isNull)
    {
        if (isNull)
        {
            return Varint.WriteVarint(destination, -1);
        }

        int pos = Varint.WriteVarint(destination, bytes.Length);
        bytes.CopyTo(destination[pos..]);
        return pos + bytes.Length;
    }
}
