using System.Buffers.Binary;
using System.IO.Compression;
using K4os.Hash.xxHash;
using ZstdSharp;

namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the codecs' wire formats below the batch level: LZ4 frames and xerial snappy framing exactly
/// as Kafka's Java client writes them, the variants other clients write (raw snappy, LZ4 checksums and
/// content size, zstd frames without a declared size, concatenated streams), and the decompression
/// bound that keeps a small batch from inflating without limit.
/// </summary>
public sealed class CompressionCodecTests
{
    private static readonly byte[] Compressible = MakeCompressible(200_000);
    private static readonly byte[] Incompressible = MakeIncompressible(100_000);

    public static TheoryData<CompressionType> CompressedCodecs() =>
        new(CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd);

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Codec_RoundTripsCompressibleAndIncompressibleData(CompressionType codec)
    {
        foreach (byte[] data in new[] { Compressible, Incompressible, [0x42] })
        {
            using var compressed = new PooledBufferWriter();
            RecordCompression.Compress(codec, data, compressed);

            Assert.Equal(data, Decompress(codec, compressed.WrittenSpan.ToArray()));
        }
    }

    [Fact]
    public void Lz4_WritesTheFrameHeaderKafkaWrites()
    {
        using var compressed = new PooledBufferWriter();
        RecordCompression.Compress(CompressionType.Lz4, "hello"u8, compressed);

        // magic 0x184D2204 LE, FLG 0x60 (v1, independent blocks), BD 0x40 (64 KiB), HC
        Assert.Equal("04224D18604082", Convert.ToHexString(compressed.WrittenSpan[..7]));
        Assert.Equal("00000000", Convert.ToHexString(compressed.WrittenSpan[^4..]));
    }

    [Fact]
    public void Lz4_StoresIncompressibleBlocksUncompressed_WithTheHighBitSet()
    {
        using var compressed = new PooledBufferWriter();
        RecordCompression.Compress(CompressionType.Lz4, Incompressible, compressed);

        uint firstBlockSize = BinaryPrimitives.ReadUInt32LittleEndian(compressed.WrittenSpan[7..]);
        Assert.Equal(0x80000000u | (64 * 1024), firstBlockSize);
    }

    [Fact]
    public void Lz4_ReadsFrameWithBlockChecksumsAndContentSize()
    {
        byte[] content = "checksummed content"u8.ToArray();
        byte[] frame = Lz4StoredFrame(content, flg: 0x78, blockChecksum: XXH32.DigestOf(content));

        Assert.Equal(content, Decompress(CompressionType.Lz4, frame));
    }

    [Fact]
    public void Lz4_RejectsBlockWhoseChecksumDoesNotMatch()
    {
        byte[] content = "checksummed content"u8.ToArray();
        byte[] frame = Lz4StoredFrame(content, flg: 0x78, blockChecksum: XXH32.DigestOf(content) ^ 1);

        AssertCorrupt(CompressionType.Lz4, frame, "lz4 block checksum");
    }

    [Fact]
    public void Lz4_RejectsDependentBlocks_AsKafkaDoes()
    {
        byte[] frame = Lz4StoredFrame("x"u8.ToArray(), flg: 0x40, blockChecksum: null);

        AssertCorrupt(CompressionType.Lz4, frame, "independent blocks");
    }

    [Fact]
    public void Lz4_RejectsWrongDescriptorChecksum()
    {
        byte[] frame = Lz4StoredFrame("x"u8.ToArray(), flg: 0x60, blockChecksum: null);
        frame[6] ^= 0xFF;

        AssertCorrupt(CompressionType.Lz4, frame, "descriptor checksum");
    }

    [Fact]
    public void Lz4_ReadsConcatenatedFrames()
    {
        byte[] frames = [.. Lz4StoredFrame("ab"u8.ToArray(), 0x60, null), .. Lz4StoredFrame("cd"u8.ToArray(), 0x60, null)];

        Assert.Equal("abcd"u8.ToArray(), Decompress(CompressionType.Lz4, frames));
    }

    [Fact]
    public void Snappy_WritesXerialHeaderAndThirtyTwoKibChunks()
    {
        using var compressed = new PooledBufferWriter();
        RecordCompression.Compress(CompressionType.Snappy, Compressible, compressed);
        ReadOnlySpan<byte> bytes = compressed.WrittenSpan;

        Assert.Equal("82534E41505059000000000100000001", Convert.ToHexString(bytes[..16]));
        int chunks = 0;
        for (int pos = 16; pos < bytes.Length; chunks++)
        {
            pos += 4 + BinaryPrimitives.ReadInt32BigEndian(bytes[pos..]);
        }

        Assert.Equal((Compressible.Length + (32 * 1024) - 1) / (32 * 1024), chunks);
    }

    [Fact]
    public void Snappy_ReadsRawBlockWithoutXerialFraming()
    {
        byte[] raw = Snappier.Snappy.CompressToArray(Compressible);

        Assert.Equal(Compressible, Decompress(CompressionType.Snappy, raw));
    }

    [Fact]
    public void Snappy_ReadsConcatenatedXerialStreams()
    {
        using var first = new PooledBufferWriter();
        using var second = new PooledBufferWriter();
        RecordCompression.Compress(CompressionType.Snappy, "first "u8, first);
        RecordCompression.Compress(CompressionType.Snappy, "second"u8, second);

        byte[] joined = [.. first.WrittenSpan, .. second.WrittenSpan];

        Assert.Equal("first second"u8.ToArray(), Decompress(CompressionType.Snappy, joined));
    }

    [Fact]
    public void Snappy_RejectsChunkLengthPastTheEnd()
    {
        using var compressed = new PooledBufferWriter();
        RecordCompression.Compress(CompressionType.Snappy, "data"u8, compressed);
        byte[] bytes = compressed.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), 1_000);

        AssertCorrupt(CompressionType.Snappy, bytes, "xerial snappy chunk length");
    }

    [Fact]
    public void Zstd_ReadsStreamedFrameWithoutDeclaredContentSize_AsJavaWritesIt()
    {
        using var output = new MemoryStream();
        using (var stream = new CompressionStream(output, level: 3))
        {
            stream.Write(Compressible);
        }

        Assert.Equal(Compressible, Decompress(CompressionType.Zstd, output.ToArray()));
    }

    [Fact]
    public void Zstd_ReadsConcatenatedFrames()
    {
        using var compressor = new Compressor();
        byte[] joined = [.. compressor.Wrap("ab"u8), .. compressor.Wrap("cd"u8)];

        Assert.Equal("abcd"u8.ToArray(), Decompress(CompressionType.Zstd, joined));
    }

    [Fact]
    public void Gzip_ReadsConcatenatedMembers()
    {
        byte[] joined = [.. GzipMember("ab"u8), .. GzipMember("cd"u8)];

        Assert.Equal("abcd"u8.ToArray(), Decompress(CompressionType.Gzip, joined));
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Decompress_RejectsOutputPastTheBound_AsMessageTooLarge(CompressionType codec)
    {
        using var compressed = new PooledBufferWriter();
        RecordCompression.Compress(codec, Compressible, compressed);
        using var output = new PooledBufferWriter(maxCapacity: Compressible.Length - 1);

        ErrorCode error = RecordCompression.TryDecompress(codec, compressed.WrittenSpan, output, out string? message);

        Assert.True(error == ErrorCode.MessageTooLarge, $"{codec}: {error} {message}");
        Assert.Contains($"expected at most {Compressible.Length - 1} bytes", message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Decompress_AcceptsOutputExactlyAtTheBound(CompressionType codec)
    {
        using var compressed = new PooledBufferWriter();
        RecordCompression.Compress(codec, Compressible, compressed);
        using var output = new PooledBufferWriter(maxCapacity: Compressible.Length);

        ErrorCode error = RecordCompression.TryDecompress(codec, compressed.WrittenSpan, output, out string? message);

        Assert.True(error == ErrorCode.None, $"{codec}: {error} {message}");
        Assert.Equal(Compressible, output.WrittenSpan.ToArray());
    }

    [Theory]
    [MemberData(nameof(CompressedCodecs))]
    public void Decompress_RejectsEmptyInput_AsCorruptMessage(CompressionType codec)
    {
        using var output = new PooledBufferWriter();

        ErrorCode error = RecordCompression.TryDecompress(codec, [], output, out string? message);

        Assert.Equal(ErrorCode.CorruptMessage, error);
        Assert.Equal($"{codec} records section is empty", message);
    }

    private static byte[] Decompress(CompressionType codec, byte[] compressed)
    {
        using var output = new PooledBufferWriter(RecordBatchValidator.MaxDecompressedBytes);
        ErrorCode error = RecordCompression.TryDecompress(codec, compressed, output, out string? message);
        Assert.True(error == ErrorCode.None, $"{codec}: {error} {message}");
        return output.WrittenSpan.ToArray();
    }

    private static void AssertCorrupt(CompressionType codec, byte[] compressed, string messagePart)
    {
        using var output = new PooledBufferWriter();
        ErrorCode error = RecordCompression.TryDecompress(codec, compressed, output, out string? message);
        Assert.True(error == ErrorCode.CorruptMessage, $"{codec}: {error} {message}");
        Assert.Contains(messagePart, message, StringComparison.Ordinal);
    }

    /// <summary>An LZ4 frame with one stored (uncompressed) block, built by hand from the frame spec.</summary>
    private static byte[] Lz4StoredFrame(byte[] content, byte flg, uint? blockChecksum)
    {
        var frame = new List<byte> { 0x04, 0x22, 0x4D, 0x18, flg, 0x40 };
        if ((flg & 0x08) != 0)
        {
            var size = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(size, content.Length);
            frame.AddRange(size);
        }

        frame.Add((byte)((XXH32.DigestOf(frame.ToArray().AsSpan(4)) >> 8) & 0xFF));
        var word = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(word, 0x80000000u | (uint)content.Length);
        frame.AddRange(word);
        frame.AddRange(content);
        if (blockChecksum is uint checksum)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(word, checksum);
            frame.AddRange(word);
        }

        frame.AddRange(new byte[4]); // end mark
        return [.. frame];
    }

    private static byte[] GzipMember(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] MakeCompressible(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)("the quick brown fox "[i % 20] + (i / 10_000));
        }

        return data;
    }

    private static byte[] MakeIncompressible(int length)
    {
        var data = new byte[length];
        new Random(7).NextBytes(data);
        return data;
    }
}
