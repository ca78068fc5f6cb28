using System.Buffers.Binary;
using Snappier;

namespace OrleansLog.Records;

/// <summary>
/// Kafka codec 2 as the Java client writes it: snappy-java's <c>SnappyOutputStream</c> ("xerial")
/// framing, which is not the official snappy framing format:
/// <code>
/// header (16 bytes): 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00 | version int32 BE = 1 | min compatible int32 BE = 1
/// then chunks:       compressed length int32 BE | raw snappy block of at most 32 KiB input
/// </code>
/// Reading also accepts what <c>SnappyInputStream</c> accepts: a bare raw snappy block with no header
/// (librdkafka and sarama write that) and a header repeated mid-stream (concatenated streams).
/// </summary>
internal static class XerialSnappyCodec
{
    /// <summary>Uncompressed bytes per chunk; Kafka's default snappy block size (32 KiB).</summary>
    public const int ChunkBytes = 32 * 1024;

    public const int HeaderSize = 16;

    private const int Version = 1;
    private const int MinimumCompatibleVersion = 1;

    private static ReadOnlySpan<byte> Magic => [0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0];

    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        Span<byte> header = destination.GetSpan(HeaderSize);
        Magic.CopyTo(header);
        BinaryPrimitives.WriteInt32BigEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32BigEndian(header[12..], MinimumCompatibleVersion);
        destination.Advance(HeaderSize);

        while (!source.IsEmpty)
        {
            ReadOnlySpan<byte> chunk = source[..Math.Min(ChunkBytes, source.Length)];
            Span<byte> target = destination.GetSpan(4 + Snappy.GetMaxCompressedLength(chunk.Length));
            int compressed = Snappy.Compress(chunk, target[4..]);
            BinaryPrimitives.WriteInt32BigEndian(target, compressed);
            destination.Advance(4 + compressed);
            source = source[chunk.Length..];
        }
    }

    /// <summary>Decompresses xerial-framed or raw snappy; throws <see cref="InvalidDataException"/> on bad data.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        if (!StartsWithMagic(source))
        {
            DecompressBlock(source, destination);
            return;
        }

        int pos = 0;
        while (pos < source.Length)
        {
            ReadOnlySpan<byte> rest = source[pos..];
            if (StartsWithMagic(rest))
            {
                if (rest.Length < HeaderSize)
                {
                    throw new InvalidDataException($"xerial snappy header at position {pos} is truncated: expected {HeaderSize} bytes, actual {rest.Length}");
                }

                pos += HeaderSize;
                continue;
            }

            if (rest.Length < 4)
            {
                throw new InvalidDataException($"xerial snappy chunk length at position {pos} is truncated: expected 4 bytes, actual {rest.Length}");
            }

            int chunkLength = BinaryPrimitives.ReadInt32BigEndian(rest);
            if (chunkLength < 0 || chunkLength > rest.Length - 4)
            {
                throw new InvalidDataException($"xerial snappy chunk length at position {pos} expected 0..{rest.Length - 4}, actual {chunkLength}");
            }

            DecompressBlock(rest.Slice(4, chunkLength), destination);
            pos += 4 + chunkLength;
        }
    }

    private static bool StartsWithMagic(ReadOnlySpan<byte> data) =>
        data.Length >= Magic.Length && data[..Magic.Length].SequenceEqual(Magic);

    private static void DecompressBlock(ReadOnlySpan<byte> block, PooledBufferWriter destination)
    {
        int length = Snappy.GetUncompressedLength(block);
        if (length < 0)
        {
            throw new InvalidDataException($"snappy block declares a negative length {length}");
        }

        int written = Snappy.Decompress(block, destination.GetSpan(length));
        if (written != length)
        {
            throw new InvalidDataException($"snappy block length expected {length}, actual {written}");
        }

        destination.Advance(written);
    }
}
