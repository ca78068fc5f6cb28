using System.Numerics;
using System.Runtime.CompilerServices;

namespace OrleansLog.Records;

/// <summary>
/// Zig-zag variable-length integers as Kafka writes them inside records (<c>ByteUtils.writeVarint</c> /
/// <c>writeVarlong</c>): protobuf base-128 groups, low group first, after mapping signed values onto
/// unsigned ones so that small negatives such as the null length -1 stay one byte long.
/// </summary>
/// <remarks>
/// Readers return false instead of throwing so the validator can turn a bad varint into an error code
/// without exceptions on the produce path. Like Kafka, a varint may use at most 5 bytes and a varlong
/// at most 10; a longer run of continuation bits is malformed.
/// </remarks>
internal static class Varint
{
    public const int MaxVarintBytes = 5;
    public const int MaxVarlongBytes = 10;

    /// <summary>Bytes needed to encode <paramref name="value"/> as a zig-zag varint.</summary>
    public static int SizeOfVarint(int value) => SizeOfUnsigned((uint)((value << 1) ^ (value >> 31)));

    /// <summary>Bytes needed to encode <paramref name="value"/> as a zig-zag varlong.</summary>
    public static int SizeOfVarlong(long value) => SizeOfUnsigned((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Writes a zig-zag varint at the start of <paramref name="destination"/> and returns its length.</summary>
    public static int WriteVarint(Span<byte> destination, int value) =>
        WriteUnsigned(destination, (uint)((value << 1) ^ (value >> 31)));

    /// <summary>Writes a zig-zag varlong at the start of <paramref name="destination"/> and returns its length.</summary>
    public static int WriteVarlong(Span<byte> destination, long value) =>
        WriteUnsigned(destination, (ulong)((value << 1) ^ (value >> 63)));

    /// <summary>
    /// Reads a zig-zag varint at <paramref name="position"/> and advances it. Returns false, leaving
    /// <paramref name="position"/> unchanged, when the bytes end mid-varint or it runs past 5 bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryReadVarint(ReadOnlySpan<byte> source, ref int position, out int value)
    {
        // Most varints in a record (attributes aside: deltas, short lengths, header counts) are one byte.
        if ((uint)position < (uint)source.Length && source[position] < 0x80)
        {
            uint single = source[position++];
            value = (int)(single >> 1) ^ -(int)(single & 1);
            return true;
        }

        uint raw = 0;
        int shift = 0;
        int index = position;
        for (int i = 0; i < MaxVarintBytes; i++)
        {
            if ((uint)index >= (uint)source.Length)
            {
                value = 0;
                return false;
            }

            byte b = source[index++];
            raw |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                position = index;
                value = (int)(raw >> 1) ^ -(int)(raw & 1);
                return true;
            }

            shift += 7;
        }

        value = 0;
        return false;
    }

    /// <summary>
    /// Reads a zig-zag varlong at <paramref name="position"/> and advances it. Returns false, leaving
    /// <paramref name="position"/> unchanged, when the bytes end mid-varlong or it runs past 10 bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryReadVarlong(ReadOnlySpan<byte> source, ref int position, out long value)
    {
        if ((uint)position < (uint)source.Length && source[position] < 0x80)
        {
            ulong single = source[position++];
            value = (long)(single >> 1) ^ -(long)(single & 1);
            return true;
        }

        ulong raw = 0;
        int shift = 0;
        int index = position;
        for (int i = 0; i < MaxVarlongBytes; i++)
        {
            if ((uint)index >= (uint)source.Length)
            {
                value = 0;
                return false;
            }

            byte b = source[index++];
            raw |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                position = index;
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return true;
            }

            shift += 7;
        }

        value = 0;
        return false;
    }

    private static int SizeOfUnsigned(ulong value)
    {
        // Seven payload bits per byte; "| 1" makes zero count as one significant bit.
        int significantBits = 64 - BitOperations.LeadingZeroCount(value | 1);
        return (significantBits + 6) / 7;
    }

    private static int WriteUnsigned(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
