using System.IO.Compression;

namespace OrleansLog.Records;

/// <summary>
/// Kafka codec 1: a gzip stream (RFC 1952) over the records section, as Java's
/// <c>GZIPOutputStream</c> writes it. <see cref="CompressionLevel.Optimal"/> is zlib level 6, Java's
/// <c>Deflater.DEFAULT_COMPRESSION</c>.
/// </summary>
/// <remarks>
/// <see cref="GZipStream"/> has no reusable inflater, so each call allocates the stream and its zlib
/// state: one allocation per batch, never per record. Gzip is the slowest codec either way.
/// </remarks>
internal static class GzipCodec
{
    private const int ReadChunkBytes = 16 * 1024;

    public static void Compress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        using var sink = new BufferWriterStream(destination);
        using var gzip = new GZipStream(sink, CompressionLevel.Optimal, leaveOpen: true);
        gzip.Write(source);
    }

    /// <summary>Inflates <paramref name="source"/>; throws <see cref="InvalidDataException"/> on bad data.</summary>
    public static unsafe void Decompress(ReadOnlySpan<byte> source, PooledBufferWriter destination)
    {
        // The span is pinned only for the duration of this synchronous call, which is all the stream lives for.
        fixed (byte* pointer = source)
        {
            using var input = new UnmanagedMemoryStream(pointer, source.Length);
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            ReadAll(gzip, destination);
        }
    }

    /// <summary>
    /// Reads the inflating stream to its end, asking for no more room than the writer's bound allows so
    /// that output which exactly fills the bound still succeeds.
    /// </summary>
    private static void ReadAll(Stream source, PooledBufferWriter destination)
    {
        Span<byte> probe = stackalloc byte[1];
        while (true)
        {
            int room = destination.MaxCapacity - destination.WrittenCount;
            if (room == 0)
            {
                // At the bound: fine if the stream is finished, a limit breach if it still has data.
                if (source.Read(probe) == 0)
                {
                    return;
                }

                throw new BufferLimitExceededException(destination.MaxCapacity, (long)destination.MaxCapacity + 1);
            }

            Span<byte> free = destination.GetSpan(Math.Min(ReadChunkBytes, room));
            int read = source.Read(free[..Math.Min(free.Length, room)]);
            if (read == 0)
            {
                return;
            }

            destination.Advance(read);
        }
    }
}
