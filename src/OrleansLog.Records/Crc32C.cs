using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace OrleansLog.Records;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of RecordBatch v2, computed with the BCL's hardware CRC
/// instructions (<see cref="BitOperations.Crc32C(uint, ulong)"/>: SSE4.2 on x64, CRC32 on Arm64) eight
/// bytes at a time, with a software fallback inside the BCL where the CPU lacks them.
/// </summary>
public static class Crc32C
{
    /// <summary>Computes the finished CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a finished CRC-32C value over more bytes.</summary>
    // Checks every fetched and every produced byte; optimized from its first call, since a short-lived
    // consumer otherwise runs its loop quick-jitted (see RecordBatchReader.MoveNext).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint state = ~crc;
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        if (data.Length >= 4)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }

        foreach (byte b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }

        return ~state;
    }
}
