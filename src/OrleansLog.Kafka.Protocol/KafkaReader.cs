using System.Buffers.Binary;
using System.Text;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// Reads Kafka's primitive types from one frame. Every length is checked against what is left, so a
/// truncated frame or a length that runs past its end fails with a <see cref="KafkaProtocolException"/>
/// naming the field's offset, never with a huge allocation.
/// </summary>
public sealed class KafkaReader(ReadOnlyMemory<byte> frame)
{
    private readonly ReadOnlyMemory<byte> _frame = frame;
    private int _position;

    public int Position => _position;

    public int Remaining => _frame.Length - _position;

    public sbyte Int8() => (sbyte)Take(1)[0];

    public bool Bool() => Take(1)[0] != 0;

    public short Int16() => BinaryPrimitives.ReadInt16BigEndian(Take(2));

    public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public int Int32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public double Float64() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    public Guid Uuid() => new(Take(16), bigEndian: true);

    public uint UnsignedVarInt()
    {
        int start = _position;
        uint value = 0;
        for (int shift = 0; shift < 35; shift += 7)
        {
            byte b = Take(1)[0];
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new KafkaProtocolException($"The unsigned varint at byte {start} is longer than 5 bytes.");
    }

    public int VarInt()
    {
        uint raw = UnsignedVarInt();
        return (int)(raw >> 1) ^ -(int)(raw & 1);
    }

    /// <summary>A string or compact string; null when the length says so.</summary>
    public string? String(bool compact)
    {
        int start = _position;
        int length = compact ? (int)UnsignedVarInt() - 1 : Int16();
        if (length < -1)
        {
            throw new KafkaProtocolException($"The string at byte {start} has length {length}.");
        }

        return length < 0 ? null : Encoding.UTF8.GetString(Take(length, start, "string"));
    }

    /// <summary>Bytes or compact bytes, sliced from the frame without a copy; null when the length says so.</summary>
    public ReadOnlyMemory<byte>? Bytes(bool compact)
    {
        int start = _position;
        long length = compact ? (long)UnsignedVarInt() - 1 : Int32();
        if (length < -1)
        {
            throw new KafkaProtocolException($"The bytes at byte {start} have length {length}.");
        }

        if (length < 0)
        {
            return null;
        }

        CheckRemaining((int)length, start, "bytes");
        ReadOnlyMemory<byte> slice = _frame.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>An array's element count (-1 for null). Each element takes at least <paramref name="minElementBytes"/>, so a count the frame cannot hold fails here.</summary>
    public int ArrayLength(bool compact, int minElementBytes = 1)
    {
        int start = _position;
        long count = compact ? (long)UnsignedVarInt() - 1 : Int32();
        if (count < -1)
        {
            throw new KafkaProtocolException($"The array at byte {start} has length {count}.");
        }

        if (count > 0 && count * Math.Max(1, minElementBytes) > Remaining)
        {
            throw new KafkaProtocolException($"The array at byte {start} claims {count} elements, but only {Remaining} bytes are left in the frame.");
        }

        return (int)count;
    }

    /// <summary>The next <paramref name="length"/> bytes, sliced without a copy (a tagged field's data).</summary>
    public ReadOnlyMemory<byte> Slice(int length)
    {
        CheckRemaining(length, _position, "tagged field");
        ReadOnlyMemory<byte> slice = _frame.Slice(_position, length);
        _position += length;
        return slice;
    }

    public void Skip(int count)
    {
        CheckRemaining(count, _position, "tagged field");
        _position += count;
    }

    private ReadOnlySpan<byte> Take(int count) => Take(count, _position, "field");

    private ReadOnlySpan<byte> Take(int count, int fieldStart, string what)
    {
        CheckRemaining(count, fieldStart, what);
        ReadOnlySpan<byte> span = _frame.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    private void CheckRemaining(int count, int fieldStart, string what)
    {
        if (count > Remaining)
        {
            throw new KafkaProtocolException($"The {what} at byte {fieldStart} needs {count} bytes, but only {Remaining} are left in the frame of {_frame.Length} bytes.");
        }
    }
}
