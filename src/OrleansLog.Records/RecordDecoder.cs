using System.Runtime.CompilerServices;

namespace OrleansLog.Records;

/// <summary>
/// Decodes one record of a records section (Kafka <c>DefaultRecord.readFrom</c>):
/// <code>
/// length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
/// keyLength varint (-1 null) | key | valueLength varint (-1 null) | value
/// headerCount varint | [headerKeyLength varint | headerKey | headerValueLength varint (-1 null) | headerValue]…
/// </code>
/// Every field must fit inside the record's declared length and the fields must use it exactly, as
/// Kafka insists, so a corrupt length cannot make two records share bytes. Header bytes are checked
/// here once so that <see cref="RecordHeaders"/> can later walk them without re-checking.
/// </summary>
/// <remarks>
/// Failures come back as a message rather than an exception: the produce path validates untrusted
/// bytes and a malformed batch is an expected outcome there. Messages are built only on failure.
/// </remarks>
internal static class RecordDecoder
{
    /// <summary>
    /// Decodes the record that starts at <paramref name="position"/>. <paramref name="index"/> is the
    /// record's place in its batch and only appears in the error message.
    /// </summary>
    /// <remarks>Runs once per record on produce and consume; optimized from its first call for the reason
    /// given on <see cref="RecordBatchReader.MoveNext"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryDecode(
        ReadOnlySpan<byte> records, int position, int index, out RecordSlices record, out string? error)
    {
        record = default;
        int pos = position;
        if (!Varint.TryReadVarint(records, ref pos, out int bodyLength))
        {
            error = $"record {index} at position {position}: length varint is truncated or longer than {Varint.MaxVarintBytes} bytes";
            return false;
        }

        int left = records.Length - pos;
        if (bodyLength < 0 || bodyLength > left)
        {
            error = $"record {index} at position {position}: length expected 0..{left} (bytes left in the records section), actual {bodyLength}";
            return false;
        }

        int bodyStart = pos;
        int end = pos + bodyLength;
        ReadOnlySpan<byte> bounded = records[..end];

        if (pos >= end)
        {
            error = $"record {index} at position {position}: body of {bodyLength} bytes has no room for attributes";
            return false;
        }

        sbyte attributes = (sbyte)bounded[pos++];

        if (!Varint.TryReadVarlong(bounded, ref pos, out long timestampDelta))
        {
            error = FieldOverrun(index, position, "timestampDelta");
            return false;
        }

        if (!Varint.TryReadVarint(bounded, ref pos, out int offsetDelta))
        {
            error = FieldOverrun(index, position, "offsetDelta");
            return false;
        }

        if (!TryReadNullableBytes(bounded, ref pos, out int keyStart, out int keyLength))
        {
            error = BytesOverrun(index, position, "key", keyLength, end - pos);
            return false;
        }

        if (!TryReadNullableBytes(bounded, ref pos, out int valueStart, out int valueLength))
        {
            error = BytesOverrun(index, position, "value", valueLength, end - pos);
            return false;
        }

        if (!Varint.TryReadVarint(bounded, ref pos, out int headerCount))
        {
            error = FieldOverrun(index, position, "headerCount");
            return false;
        }

        if (headerCount < 0)
        {
            error = $"record {index} at position {position}: headerCount expected >= 0, actual {headerCount}";
            return false;
        }

        int headersStart = pos;
        for (int h = 0; h < headerCount; h++)
        {
            if (!Varint.TryReadVarint(bounded, ref pos, out int headerKeyLength))
            {
                error = FieldOverrun(index, position, $"header {h} keyLength");
                return false;
            }

            if (headerKeyLength < 0 || headerKeyLength > end - pos)
            {
                error = $"record {index} at position {position}: header {h} keyLength expected 0..{end - pos}, actual {headerKeyLength}";
                return false;
            }

            pos += headerKeyLength;
            if (!TryReadNullableBytes(bounded, ref pos, out _, out int headerValueLength))
            {
                error = BytesOverrun(index, position, $"header {h} value", headerValueLength, end - pos);
                return false;
            }
        }

        if (pos != end)
        {
            error = $"record {index} at position {position}: length expected {pos - bodyStart} (bytes its fields use), actual {bodyLength}";
            return false;
        }

        record = new RecordSlices(
            position, end, attributes, timestampDelta, offsetDelta,
            keyStart, keyLength, valueStart, valueLength, headersStart, headerCount);
        error = null;
        return true;
    }

    /// <summary>
    /// Reads a length varint followed by that many bytes; -1 means null. On failure
    /// <paramref name="length"/> holds the offending length, or <see cref="int.MinValue"/> when the
    /// varint itself was unreadable.
    /// </summary>
    private static bool TryReadNullableBytes(ReadOnlySpan<byte> bounded, ref int pos, out int start, out int length)
    {
        start = 0;
        if (!Varint.TryReadVarint(bounded, ref pos, out length))
        {
            length = int.MinValue;
            return false;
        }

        if (length == -1)
        {
            start = pos;
            return true;
        }

        if (length < -1 || length > bounded.Length - pos)
        {
            return false;
        }

        start = pos;
        pos += length;
        return true;
    }

    private static string FieldOverrun(int index, int position, string field) =>
        $"record {index} at position {position}: {field} varint is malformed or runs past the record's end";

    private static string BytesOverrun(int index, int position, string field, int length, int left) =>
        length == int.MinValue
            ? FieldOverrun(index, position, field + " length")
            : $"record {index} at position {position}: {field} length expected -1..{left} (bytes left in the record), actual {length}";
}
