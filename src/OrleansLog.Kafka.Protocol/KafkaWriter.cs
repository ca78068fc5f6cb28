using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// Writes Kafka's primitive types, big-endian, into a growable buffer: fixed-width integers, unsigned and
/// zig-zag varints, and the classic (length-prefixed) and compact (length + 1 as an unsigned varint) forms
/// of strings, bytes and arrays.
/// </summary>
public sealed class KafkaWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public KafkaWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void Int8(sbyte value) => Advance(1)[0] = (byte)value;

    public void Bool(bool value) => Advance(1)[0] = value ? (byte)1 : (byte)0;

    public void Int16(short value) => BinaryPrimitives.WriteInt16BigEndian(Advance(2), value);

    public void UInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Advance(2), value);

    public void Int32(int value) => BinaryPrimitives.WriteInt32BigEndian(Advance(4), value);

    public void Int64(long value) => BinaryPrimitives.WriteInt64BigEndian(Advance(8), value);

    public void Float64(double value) => BinaryPrimitives.WriteDoubleBigEndian(Advance(8), value);

    public void Uuid(Guid value)
    {
        Span<byte> span = Advance(16);
        value.TryWriteBytes(span, bigEndian: true, out _);
    }

    public void UnsignedVarInt(uint value)
    {
        while (value >= 0x80)
        {
            Advance(1)[0] = (byte)(value | 0x80);
            value >>= 7;
        }

        Advance(1)[0] = (byte)value;
    }

    public void VarInt(int value) => UnsignedVarInt((uint)((value << 1) ^ (value >> 31)));

    /// <summary>A string (int16 length, -1 for null) or, when <paramref name="compact"/>, a compact string (uvarint length + 1, 0 for null).</summary>
    public void String(string? value, bool compact)
    {
        if (value is null)
        {
            WriteLength(-1, compact, is16Bit: true);
            return;
        }

        int length = Encoding.UTF8.GetByteCount(value);
        if (!compact && length > short.MaxValue)
        {
            throw new KafkaProtocolException($"A string of {length} bytes does not fit a non-compact string (at most {short.MaxValue}).");
        }

        WriteLength(length, compact, is16Bit: true);
        Encoding.UTF8.GetBytes(value, Advance(length));
    }

    /// <summary>Bytes (int32 length, -1 for null) or compact bytes (uvarint length + 1, 0 for null).</summary>
    public void Bytes(ReadOnlySpan<byte> value, bool isNull, bool compact)
    {
        if (isNull)
        {
            WriteLength(-1, compact, is16Bit: false);
            return;
        }

        WriteLength(value.Length, compact, is16Bit: false);
        value.CopyTo(Advance(value.Length));
    }

    /// <summary>An array's length: int32 (-1 for null) or, compact, uvarint count + 1 (0 for null).</summary>
    public void ArrayLength(int count, bool compact) => WriteLength(count, compact, is16Bit: false);

    public void Raw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Advance(bytes.Length));

    private void WriteLength(int length, bool compact, bool is16Bit)
    {
        if (compact)
        {
            UnsignedVarInt((uint)(length + 1));
        }
        else if (is16Bit)
        {
            Int16((short)length);
        }
        else
        {
            Int32(length);
        }
    }

    private Span<byte> Advance(int count)
    {
        Span<byte> span = _buffer.GetSpan(count)[..count];
        _buffer.Advance(count);
        return span;
    }
}
