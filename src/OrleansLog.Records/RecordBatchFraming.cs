using System.Buffers.Binary;
namespace OrleansLog.Records;

/// <summary>
/// The frame checks every walk over record batches shares (length, magic, lastOffsetDelta; the CRC-32C where
/// asked): the log's recovery and reads (<c>BatchScanner</c>, over a file), a follower's check of what its
/// leader sent and the clients' fetch parsing (<see cref="RecordBatchFrames"/>, over a buffer), and the
/// produce path's validator (<see cref="RecordBatchValidator"/>, over the one batch it gets, before it checks
/// the CRC, the codec and every record).
/// </summary>
public static class RecordBatchFraming
{
    /// <summary>Smallest legal batchLength: the 61-byte header minus the 12 bytes batchLength does not count.</summary>
    public const int MinBatchLength = RecordBatchLayout.HeaderSize - RecordBatchLayout.LogOverhead;

    /// <summary>
    /// Checks the frame at the start of <paramref name="bytes"/>, which holds <paramref name="available"/>
    /// bytes of the log from here on (at least the header if that many exist). Sets <paramref name="size"/>
    /// to the whole batch size when batchLength could be read.
    /// </summary>
    public static BatchFrameStatus CheckHeader(ReadOnlySpan<byte> bytes, long available, out long size)
    {
        size = 0;
        if (available == 0)
        {
            return BatchFrameStatus.EndOfData;
        }

        if (available < RecordBatchLayout.LogOverhead)
        {
            return BatchFrameStatus.TruncatedHeader;
        }

        int batchLength = RecordBatchHeader.ReadBatchLength(bytes);
        size = (long)batchLength + RecordBatchLayout.LogOverhead;
        if (batchLength < MinBatchLength)
        {
            return BatchFrameStatus.InvalidLength;
        }

        if (size > available)
        {
            return BatchFrameStatus.LengthPastEnd;
        }

        if (bytes[RecordBatchLayout.MagicPosition] != RecordBatchLayout.CurrentMagic)
        {
            return BatchFrameStatus.InvalidMagic;
        }

        if (BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.LastOffsetDeltaPosition..]) < 0)
        {
            return BatchFrameStatus.NegativeLastOffsetDelta;
        }

        return BatchFrameStatus.Valid;
    }

    /// <summary>A sentence for logs and exceptions, e.g. "magic is 7, expected 2".</summary>
    public static string Describe(BatchFrameStatus status, ReadOnlySpan<byte> bytes, long available, long size) => status switch
    {
        BatchFrameStatus.Valid => "valid",
        BatchFrameStatus.EndOfData => "end of data",
        BatchFrameStatus.TruncatedHeader => $"only {available} bytes left, fewer than the 12-byte batch prefix",
        BatchFrameStatus.InvalidLength => $"batchLength {size - RecordBatchLayout.LogOverhead} is below the minimum {MinBatchLength}",
        BatchFrameStatus.LengthPastEnd => $"batch of {size} bytes runs past the end of the data ({available} bytes left)",
        BatchFrameStatus.InvalidMagic => $"magic is {bytes[RecordBatchLayout.MagicPosition]}, expected {RecordBatchLayout.CurrentMagic}",
        BatchFrameStatus.NegativeLastOffsetDelta =>
            $"lastOffsetDelta is {BinaryPrimitives.ReadInt32BigEndian(bytes[RecordBatchLayout.LastOffsetDeltaPosition..])}",
        _ => status.ToString(),
    };
}
