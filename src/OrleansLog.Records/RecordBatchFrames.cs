namespace OrleansLog.Records;

/// <summary>
/// Walks the record batches laid end to end in a buffer — a fetch answer, a follower's copy of its leader's
/// log — with the frame checks of <see cref="RecordBatchFraming"/> and, when asked, each batch's CRC-32C: the
/// one frame walker over buffers (the log's <c>BatchScanner</c> is its counterpart over a file). It stops at
/// the end of the buffer, or at the first bad frame with <see cref="Status"/> and <see cref="Detail"/> saying
/// what is wrong and <see cref="Position"/> where. Allocates nothing until a frame is bad.
/// </summary>
/// <example><code>
/// var frames = new RecordBatchFrames(bytes, verifyCrc: true);
/// while (frames.MoveNext()) { Use(frames.Header, frames.Batch); }
/// if (frames.Status != BatchFrameStatus.EndOfData) { Reject(frames.Detail); }
/// </code></example>
public ref struct RecordBatchFrames
{
    private readonly ReadOnlySpan<byte> _bytes;
    private readonly bool _verifyCrc;
    private int _next;

    /// <param name="bytes">Whole batches, end to end.</param>
    /// <param name="verifyCrc">Also check each batch's CRC-32C (attributes to the end).</param>
    public RecordBatchFrames(ReadOnlySpan<byte> bytes, bool verifyCrc)
    {
        _bytes = bytes;
        _verifyCrc = verifyCrc;
        _next = 0;
        Status = BatchFrameStatus.Valid;
    }

    /// <summary>The current batch's header (after <see cref="MoveNext"/> returned true).</summary>
    public RecordBatchHeader Header { get; private set; }

    /// <summary>The current batch, whole.</summary>
    public ReadOnlySpan<byte> Batch { get; private set; }

    /// <summary>Where the current batch starts; after the walk ended, where it stopped.</summary>
    public int Position { get; private set; }

    /// <summary><see cref="BatchFrameStatus.Valid"/> while walking, <see cref="BatchFrameStatus.EndOfData"/> after the last batch, else the first problem.</summary>
    public BatchFrameStatus Status { get; private set; }

    /// <summary>What is wrong with the frame at <see cref="Position"/>, for logs and errors; null unless the walk stopped on a bad frame.</summary>
    public string? Detail { get; private set; }

    public bool MoveNext()
    {
        if (Status != BatchFrameStatus.Valid)
        {
            return false;
        }

        Position = _next;
        ReadOnlySpan<byte> rest = _bytes[_next..];
        BatchFrameStatus status = RecordBatchFraming.CheckHeader(rest, rest.Length, out long size);
        if (status == BatchFrameStatus.Valid && rest.Length < RecordBatchLayout.HeaderSize)
        {
            status = BatchFrameStatus.LengthPastEnd;
        }

        if (status != BatchFrameStatus.Valid)
        {
            Status = status;
            Detail = status == BatchFrameStatus.EndOfData ? null : RecordBatchFraming.Describe(status, rest, rest.Length, size);
            return false;
        }

        ReadOnlySpan<byte> batch = rest[..(int)size];
        RecordBatchHeader header = RecordBatchHeader.Read(batch);
        if (_verifyCrc && RecordBatchHeader.ComputeCrc(batch) is uint computed && computed != header.Crc)
        {
            Status = BatchFrameStatus.CrcMismatch;
            Detail = $"batch at offset {header.BaseOffset}: CRC-32C mismatch: stored 0x{header.Crc:x8}, computed 0x{computed:x8}";
            return false;
        }

        Header = header;
        Batch = batch;
        _next += (int)size;
        return true;
    }
}
