namespace OrleansLog.Records;

/// <summary>
/// Dispatches a records section to its codec by Kafka compression id, and turns codec failures into
/// error codes: corrupt input becomes <see cref="ErrorCode.CorruptMessage"/>, output past the bound
/// becomes <see cref="ErrorCode.MessageTooLarge"/>, an id outside 0-4 becomes
/// <see cref="ErrorCode.UnsupportedCompressionType"/>.
/// </summary>
internal static class RecordCompression
{
    /// <summary>True for the ids Kafka defines: none, gzip, snappy, lz4, zstd.</summary>
    public static bool IsKnown(CompressionType compression) => (uint)compression <= (uint)CompressionType.Zstd;

    /// <summary>Appends the compressed form of <paramref name="source"/> to <paramref name="destination"/>.</summary>
    public static void Compress(CompressionType compression, ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        switch (compression)
        {
            case CompressionType.None:
                destination.Write(source);
                break;
            case CompressionType.Gzip:
                GzipCodec.Compress(source, destination);
                break;
            case CompressionType.Snappy:
                XerialSnappyCodec.Compress(source, destination);
                break;
            case CompressionType.Lz4:
                Lz4FrameCodec.Compress(source, destination);
                break;
            case CompressionType.Zstd:
                ZstdCodec.Compress(source, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(compression), compression, "Kafka defines compression ids 0-4 only.");
        }
    }

    /// <summary>
    /// Appends the decompressed form of <paramref name="source"/> to <paramref name="destination"/>,
    /// whose <see cref="PooledBufferWriter.MaxCapacity"/> bounds the output. On failure
    /// <paramref name="message"/> names the codec and what was wrong.
    /// </summary>
    public static ErrorCode TryDecompress(
        CompressionType compression, ReadOnlySpan<byte> source, PooledBufferWriter destination, out string? message)
    {
        message = null;
        if (source.IsEmpty && compression != CompressionType.None && IsKnown(compression))
        {
            // Every codec's framing needs at least a header; Kafka's Java streams fail here too.
            message = $"{compression} records section is empty";
            return ErrorCode.CorruptMessage;
        }

        try
        {
            switch (compression)
            {
                case CompressionType.None:
                    destination.Write(source);
                    break;
                case CompressionType.Gzip:
                    GzipCodec.Decompress(source, destination);
                    break;
                case CompressionType.Snappy:
                    XerialSnappyCodec.Decompress(source, destination);
                    break;
                case CompressionType.Lz4:
                    Lz4FrameCodec.Decompress(source, destination);
                    break;
                case CompressionType.Zstd:
                    ZstdCodec.Decompress(source, destination);
                    break;
                default:
                    message = $"compression codec expected 0..4, actual {(int)compression}";
                    return ErrorCode.UnsupportedCompressionType;
            }

            return ErrorCode.None;
        }
        catch (BufferLimitExceededException)
        {
            message = $"decompressed {compression} records section expected at most {destination.MaxCapacity} bytes, actual more";
            return ErrorCode.MessageTooLarge;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Codecs report bad input with several exception types (InvalidDataException, ZstdException,
            // ArgumentException from bounds checks); for untrusted bytes all of them mean "corrupt".
            message = $"{compression} records section of {source.Length} bytes does not decompress: {ex.Message}";
            return ErrorCode.CorruptMessage;
        }
    }
}
