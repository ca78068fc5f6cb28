using System.Buffers.Binary;
using System.Numerics;
using OrleansLog.Records;

namespace OrleansLog.Grains.Persistence;

/// <summary>
/// The byte layout of one grain state file: two equal slots, so a new version is written in place over
/// the slot that holds the version before last while the other slot keeps the last durable one.
/// </summary>
/// <remarks>
/// <para>
/// File: <c>2 × SlotCapacity</c> bytes, <c>SlotCapacity</c> a power of two ≥ <see cref="MinSlotBytes"/>;
/// version <c>v</c> lives in slot <c>v &amp; 1</c> at position <c>(v &amp; 1) × SlotCapacity</c>.
/// Slot, little-endian: <c>magic u32 "OLGS" | version i32 | bodyLength i32 | crc32c u32 | body</c>, the
/// CRC-32C covering version, length and body. The rest of the slot is zeros.
/// </para>
/// <para>
/// Crash behaviour: a file only ever appears whole (written to a temp file, fsynced, renamed, directory
/// fsynced), so at least one slot is valid. An in-place write that a crash tears fails its CRC and the
/// reader takes the other slot, the previous acknowledged version. A file with no valid slot, or with a
/// length that is not two powers-of-two slots, is corrupt and reading it throws rather than guessing.
/// </para>
/// <para>Thread-safety: stateless.</para>
/// </remarks>
internal static class GrainStateFile
{
    /// <summary>"OLGS" read as a little-endian u32.</summary>
    public const uint Magic = 0x53474C4F;

    /// <summary>magic, version, body length, CRC.</summary>
    public const int SlotHeaderBytes = 16;

    /// <summary>One page: the smallest write the page cache and the device do anyway.</summary>
    public const int MinSlotBytes = 4096;

    /// <summary>Builds the slot record (header and body, without the zero padding) for <paramref name="version"/>.</summary>
    public static byte[] EncodeSlot(int version, ReadOnlySpan<byte> body)
    {
        byte[] record = new byte[SlotHeaderBytes + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(4), version);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(8), body.Length);
        body.CopyTo(record.AsSpan(SlotHeaderBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), Checksum(record));
        return record;
    }

    /// <summary>The slot capacity of a new file whose slots must hold <paramref name="recordBytes"/>.</summary>
    public static int SlotCapacityFor(int recordBytes) =>
        (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(recordBytes, MinSlotBytes));

    /// <summary>Where version <paramref name="version"/> is written in a file of <paramref name="slotCapacity"/>-byte slots.</summary>
    public static long SlotPosition(int version, int slotCapacity) => (long)(version & 1) * slotCapacity;

    /// <summary>A whole new file holding <paramref name="record"/> in its version's slot and zeros elsewhere.</summary>
    public static byte[] NewFile(int version, byte[] record, int slotCapacity)
    {
        byte[] file = new byte[2 * slotCapacity];
        record.CopyTo(file, (int)SlotPosition(version, slotCapacity));
        return file;
    }

    /// <summary>The newest valid slot of <paramref name="file"/>; throws <see cref="InvalidDataException"/> if there is none.</summary>
    public static (int Version, int SlotCapacity, ReadOnlyMemory<byte> Body) Decode(string path, byte[] file)
    {
        int capacity = file.Length / 2;
        if (file.Length % 2 != 0 || capacity < MinSlotBytes || !BitOperations.IsPow2(capacity))
        {
            throw new InvalidDataException(
                $"Grain state file {path} is {file.Length} bytes long; expected two equal power-of-two slots of at least {MinSlotBytes} bytes each.");
        }

        int bestVersion = 0;
        ReadOnlyMemory<byte> bestBody = default;
        for (int slot = 0; slot < 2; slot++)
        {
            ReadOnlySpan<byte> bytes = file.AsSpan(slot * capacity, capacity);
            int version = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
            int length = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
            bool valid = BinaryPrimitives.ReadUInt32LittleEndian(bytes) == Magic
                && version > 0 && (version & 1) == slot
                && length >= 0 && length <= capacity - SlotHeaderBytes
                && BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]) == Checksum(bytes[..(SlotHeaderBytes + length)]);
            if (valid && version > bestVersion)
            {
                bestVersion = version;
                bestBody = file.AsMemory((slot * capacity) + SlotHeaderBytes, length);
            }
        }

        if (bestVersion == 0)
        {
            throw new InvalidDataException($"Grain state file {path} has no valid slot (magic, version parity, length and CRC-32C all checked); refusing to guess.");
        }

        return (bestVersion, capacity, bestBody);
    }

    private static uint Checksum(ReadOnlySpan<byte> record) =>
        Crc32C.Append(Crc32C.Compute(record[4..12]), record[SlotHeaderBytes..]);
}
