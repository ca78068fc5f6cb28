using System.Runtime.InteropServices;

namespace OrleansLog.Records;

/// <summary>
/// The headers of one record, decoded lazily from the batch bytes as they are enumerated, so a consumer
/// that never looks at headers pays nothing for them and one that does allocates nothing. The bytes
/// were already checked by <see cref="RecordDecoder"/> when the record was read.
/// </summary>
/// <remarks>
/// Holds memory of the <see cref="RecordBatchReader"/> it came from; see <see cref="Record"/> for how
/// long that stays valid.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct RecordHeaders
{
    private readonly ReadOnlyMemory<byte> _encoded;

    internal RecordHeaders(ReadOnlyMemory<byte> encoded, int count)
    {
        _encoded = encoded;
        Count = count;
    }

    /// <summary>Number of headers.</summary>
    public int Count { get; }

    public Enumerator GetEnumerator() => new(_encoded, Count);

    /// <summary>Copies the headers into a new array; allocates, meant for tests and slow paths.</summary>
    public RecordHeader[] ToArray()
    {
        var result = new RecordHeader[Count];
        int i = 0;
        foreach (RecordHeader header in this)
        {
            result[i++] = header;
        }

        return result;
    }

    /// <summary>Walks the encoded headers one at a time without allocating.</summary>
    [StructLayout(LayoutKind.Auto)]
    public struct Enumerator
    {
        private readonly ReadOnlyMemory<byte> _encoded;
        private readonly int _count;
        private int _index;
        private int _position;

        internal Enumerator(ReadOnlyMemory<byte> encoded, int count)
        {
            _encoded = encoded;
            _count = count;
            _index = 0;
            _position = 0;
            Current = default;
        }

        public RecordHeader Current { get; private set; }

        public bool MoveNext()
        {
            if (_index >= _count)
            {
                return false;
            }

            ReadOnlySpan<byte> span = _encoded.Span;
            int pos = _position;
            if (!Varint.TryReadVarint(span, ref pos, out int keyLength) || keyLength < 0)
            {
                throw Unexpected();
            }

            ReadOnlyMemory<byte> key = _encoded.Slice(pos, keyLength);
            pos += keyLength;
            if (!Varint.TryReadVarint(span, ref pos, out int valueLength) || valueLength < -1)
            {
                throw Unexpected();
            }

            if (valueLength < 0)
            {
                Current = new RecordHeader(key, ReadOnlyMemory<byte>.Empty, valueIsNull: true);
            }
            else
            {
                Current = new RecordHeader(key, _encoded.Slice(pos, valueLength), valueIsNull: false);
                pos += valueLength;
            }

            _position = pos;
            _index++;
            return true;
        }

        // The record decoder checked these bytes already; getting here means the memory changed underneath.
        private static InvalidOperationException Unexpected() =>
            new("Record headers changed after the record was decoded; was the batch buffer reused while a record was still in use?");
    }
}
