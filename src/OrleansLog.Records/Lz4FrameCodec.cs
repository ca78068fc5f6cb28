using System.Buffers.Binary;
using K4os.Compression.LZ4;
using K4os.Hash.xxHash;

namespace OrleansLog.Records;

/// <summary>
/// Kafka codec 3: the LZ4 <em>frame</em> format (lz4_Frame_format.md v1.5.1), written exactly as Kafka's
/// <c>Lz4BlockOutputStream</c> does at the default level:
/// <code>
/// magic 0x184D2204 LE | FLG 0x60 (version 01, independent blocks) | BD 0x40 (64 KiB blocks)
/// HC = (xxh32(FLG, BD) >> 8) &amp; 0xFF
/// blocks: size uint32 LE (high bit = stored uncompressed) | data        …   end mark 0x00000000
/// </code>
/// The frame is built here on <see cref="LZ4Codec"/> blocks rather than with K4os' stream encoder so
/// the flags match Kafka bit for bit and nothing is allocated.
/// </summary>
/// <remarks>
/// Reading follows Kafka's <c>Lz4BlockInputStream</c>: block checksums, content size and content
/// checksum are honoured when flagged, dependent blocks and dictionary ids are rejected (Kafka rejects
/// them too, so no Kafka-compatible producer writes them), and concatenated frames are accepted.
/// Skippable frames are not: Kafka's reader does not accept them either.
/// </remarks>
internal static class Lz4FrameCodec
{
    public const uint FrameMagic = 0x184D2204;

    /// <summary>64 KiB, Kafka's BLOCKSIZE_64KB.</summary>
    public const int BlockBytes = 64 * 1024;

    private const byte KafkaFlg = 0x60;
    private const byte KafkaBd = 0x40;
    private const uint UncompressedBlockFlag = 0x80000000;

    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        Span<byte> header = destination.GetSpan(7);
        BinaryPrimitives.WriteUInt32LittleEndian(header, FrameMagic);
        header[4] = KafkaFlg;
        header[5] = KafkaBd;
        header[6] = DescriptorChecksum(header.Slice(4, 2));
        destination.Advance(7);

        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> block = source[..Math.Min(BlockBytes, source.Length)];
            Span<byte> target = destination.GetSpan(4 + Math.Max(block.Length, LZ4Codec.MaximumOutputSize(block.Length)));
            int compressed = LZ4Codec.Encode(block, target[4..], LZ4Level.L00_FAST);
            if (compressed <= 0 || compressed >= block.Length)
            {
                // Incompressible: store it as is, as Kafka does, flagged with the high bit.
                BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)block.Length | UncompressedBlockFlag);
                block.CopyTo(target[4..]);
                compressed = block.Length;
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)compressed);
            }

            destination.Advance(4 + compressed);
            source = source[block.Length..];
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination.GetSpan(4), 0);
        destination.Advance(4);
    }

    /// <summary>Decompresses one or more LZ4 frames; throws <see cref="InvalidDataException"/> on bad data.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        int pos = 0;
        do
        {
            pos = DecompressFrame(source, pos, destination);
        }
        while (pos < source.Length);
    }

    private static int DecompressFrame(ReadOnlySpan<byte> source, int pos, PooledBufferWriter destination)
    {
        int frameStart = pos;
        if (source.Length - pos < 7)
        {
            throw new InvalidDataException($"lz4 frame header at position {pos} is truncated: expected at least 7 bytes, actual {source.Length - pos}");
        }

        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
        if (magic != FrameMagic)
        {
            throw new InvalidDataException($"lz4 frame magic at position {pos} expected 0x{FrameMagic:X8}, actual 0x{magic:X8}");
        }

        byte flg = source[pos + 4];
        byte bd = source[pos + 5];
        int version = flg >> 6;
        bool blockIndependent = (flg & 0x20) != 0;
        bool blockChecksum = (flg & 0x10) != 0;
        bool hasContentSize = (flg & 0x08) != 0;
        bool hasContentChecksum = (flg & 0x04) != 0;
        if (version != 1 || (flg & 0x03) != 0 || !blockIndependent)
        {
            throw new InvalidDataException($"lz4 frame FLG at position {frameStart + 4} expected version 1, independent blocks, no dictionary; actual 0x{flg:X2}");
        }

        int blockSizeId = (bd >> 4) & 0x07;
        if ((bd & 0x8F) != 0 || blockSizeId < 4)
        {
            throw new InvalidDataException($"lz4 frame BD at position {frameStart + 5} expected block size id 4..7 and zero reserved bits, actual 0x{bd:X2}");
        }

        int maxBlockBytes = 1 << ((2 * blockSizeId) + 8);
        int descriptorLength = 2 + (hasContentSize ? 8 : 0);
        if (source.Length - (pos + 4) < descriptorLength + 1)
        {
            throw new InvalidDataException($"lz4 frame descriptor at position {frameStart + 4} is truncated");
        }

        ReadOnlySpan<byte> descriptor = source.Slice(pos + 4, descriptorLength);
        byte expectedHc = DescriptorChecksum(descriptor);
        byte actualHc = source[pos + 4 + descriptorLength];
        if (expectedHc != actualHc)
        {
            throw new InvalidDataException($"lz4 frame descriptor checksum expected 0x{expectedHc:X2}, actual 0x{actualHc:X2}");
        }

        long declaredContentSize = hasContentSize ? BinaryPrimitives.ReadInt64LittleEndian(descriptor[2..]) : -1;
        pos += 4 + descriptorLength + 1;
        int contentStart = destination.WrittenCount;

        while (true)
        {
            if (source.Length - pos < 4)
            {
                throw new InvalidDataException($"lz4 block size at position {pos} is truncated");
            }

            uint rawSize = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
            pos += 4;
            if (rawSize == 0)
            {
                break;
            }

            bool stored = (rawSize & UncompressedBlockFlag) != 0;
            int size = (int)(rawSize & ~UncompressedBlockFlag);
            if (size > maxBlockBytes || size > source.Length - pos - (blockChecksum ? 4 : 0))
            {
                throw new InvalidDataException($"lz4 block size at position {pos - 4} expected 1..{Math.Min(maxBlockBytes, source.Length - pos)}, actual {size}");
            }

            ReadOnlySpan<byte> block = source.Slice(pos, size);
            pos += size;
            if (blockChecksum)
            {
                uint expected = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
                uint actual = XXH32.DigestOf(block);
                if (expected != actual)
                {
                    throw new InvalidDataException($"lz4 block checksum at position {pos} expected 0x{expected:X8}, actual 0x{actual:X8}");
                }

                pos += 4;
            }

            if (stored)
            {
                destination.Write(block);
            }
            else
            {
                DecodeBlock(block, maxBlockBytes, destination);
            }
        }

        int contentLength = destination.WrittenCount - contentStart;
        if (hasContentChecksum)
        {
            if (source.Length - pos < 4)
            {
                throw new InvalidDataException($"lz4 content checksum at position {pos} is truncated");
            }

            uint expected = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
            uint actual = XXH32.DigestOf(destination.WrittenSpan[contentStart..]);
            if (expected != actual)
            {
                throw new InvalidDataException($"lz4 content checksum expected 0x{expected:X8}, actual 0x{actual:X8}");
            }

            pos += 4;
        }

        if (hasContentSize && declaredContentSize != contentLength)
        {
            throw new InvalidDataException($"lz4 content size expected {declaredContentSize}, actual {contentLength}");
        }

        return pos;
    }

    private static void DecodeBlock(ReadOnlySpan<byte> block, int maxBlockBytes, PooledBufferWriter destination)
    {
        // Ask for no more than the bound allows; a block that needs more then fails to decode and is
        // reported as a limit breach rather than as corruption.
        int room = destination.MaxCapacity - destination.WrittenCount;
        int request = Math.Min(maxBlockBytes, room);
        if (request <= 0)
        {
            throw new BufferLimitExceededException(destination.MaxCapacity, (long)destination.MaxCapacity + 1);
        }

        Span<byte> target = destination.GetSpan(request)[..request];
        int decoded = LZ4Codec.Decode(block, target);
        if (decoded < 0)
        {
            if (request < maxBlockBytes)
            {
                throw new BufferLimitExceededException(destination.MaxCapacity, (long)destination.WrittenCount + maxBlockBytes);
            }

            throw new InvalidDataException($"lz4 block of {block.Length} bytes does not decode");
        }

        destination.Advance(decoded);
    }

    private static byte DescriptorChecksum(ReadOnlySpan<byte> descriptor) => (byte)((XXH32.DigestOf(descriptor) >> 8) & 0xFF);
}
