using System.Buffers;
using ZstdSharp;

namespace OrleansLog.Records;

/// <summary>
/// Kafka codec 4: standard zstd frames (RFC 8878) at level 3, Kafka's default zstd level. Java's
/// streaming writer leaves the content size out of the frame header, so decompression streams into a
/// growing buffer instead of trusting a declared size.
/// </summary>
/// <remarks>
/// A zstd context costs hundreds of kilobytes to set up, so one compressor and one decompressor are
/// cached per thread. Calls are synchronous, so a context never crosses threads mid-use.
/// </remarks>
internal static class ZstdCodec
{
    /// <summary>Kafka's <c>ZstdCompression</c> default level.</summary>
    public const int Level = 3;

    private const int OutputChunkBytes = 128 * 1024;

    [ThreadStatic]
    private static Compressor? t_compressor;

    [ThreadStatic]
    private static Decompressor? t_decompressor;

    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        Compressor compressor = t_compressor ??= new Compressor(Level);
        Span<byte> target = destination.GetSpan(Compressor.GetCompressBound(source.Length));
        int written = compressor.Wrap(source, target);
        destination.Advance(written);
    }

    /// <summary>Decompresses one or more zstd frames; throws <see cref="InvalidDataException"/> on bad data.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        Decompressor decompressor = t_decompressor ??= new Decompressor();

        // A previous call may have thrown mid-frame; never let its state leak into this one.
        decompressor.ResetStream();
        Span<byte> probe = stackalloc byte[1];
        int consumedTotal = 0;
        while (true)
        {
            // At the bound, decode into a one-byte probe: any output at all means the limit is breached.
            int room = destination.MaxCapacity - destination.WrittenCount;
            bool probing = room == 0;
            int request = Math.Min(OutputChunkBytes, room);
            Span<byte> target = probing ? probe : destination.GetSpan(request)[..request];

            OperationStatus status;
            int consumed;
            int written;
            try
            {
                status = decompressor.UnwrapStream(source[consumedTotal..], target, out consumed, out written);
            }
            catch (ZstdException ex)
            {
                decompressor.ResetStream();
                throw new InvalidDataException($"zstd data does not decode at input position {consumedTotal}: {ex.Message}", ex);
            }

            if (probing && written > 0)
            {
                decompressor.ResetStream();
                throw new BufferLimitExceededException(destination.MaxCapacity, (long)destination.MaxCapacity + 1);
            }

            if (!probing)
            {
                destination.Advance(written);
            }

            consumedTotal += consumed;
            if (status == OperationStatus.Done && consumedTotal == source.Length)
            {
                return;
            }

            if (status == OperationStatus.InvalidData
                || (status == OperationStatus.NeedMoreData && consumedTotal == source.Length)
                || (consumed == 0 && written == 0 && status != OperationStatus.DestinationTooSmall && status != OperationStatus.Done))
            {
                decompressor.ResetStream();
                throw new InvalidDataException($"zstd data is truncated or invalid at input position {consumedTotal} of {source.Length} ({status})");
            }
        }
    }
}
