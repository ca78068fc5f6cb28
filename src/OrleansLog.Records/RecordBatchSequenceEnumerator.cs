using System.Runtime.InteropServices;

namespace OrleansLog.Records;

/// <summary>
/// The allocation-free enumerator behind <see cref="RecordBatchSequence.Enumerate"/>, with the frame checks
/// of <see cref="RecordBatchFraming"/>. It stops at the first position that does not start a complete batch:
/// fewer than 12 bytes left, a batchLength that runs past the buffer (a partial batch), or one too small to
/// hold a 61-byte header.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public struct RecordBatchSequenceEnumerator
{
    private readonly ReadOnlyMemory<byte> _buffer;

    internal RecordBatchSequenceEnumerator(ReadOnlyMemory<byte> buffer)
    {
        _buffer = buffer;
        ConsumedBytes = 0;
        Current = default;
    }

    public RecordBatchView Current { get; private set; }

    /// <summary>Bytes covered by the complete batches enumerated so far.</summary>
    public int ConsumedBytes { get; private set; }

    /// <summary>Bytes after the last complete batch; non-zero at the end means a partial or broken tail.</summary>
    public readonly int RemainingBytes => _buffer.Length - ConsumedBytes;

    public readonly RecordBatchSequenceEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        ReadOnlySpan<byte> rest = _buffer.Span[ConsumedBytes..];
        BatchFrameStatus status = RecordBatchFraming.CheckHeader(rest, rest.Length, out long size);
        if (status is BatchFrameStatus.EndOfData or BatchFrameStatus.TruncatedHeader or BatchFrameStatus.InvalidLength or BatchFrameStatus.LengthPastEnd)
        {
            // Not a complete batch (a partial tail is normal at the end of a fetch). A complete batch with a
            // bad magic or lastOffsetDelta is still enumerated: its reader's validation names the problem.
            return false;
        }

        ReadOnlyMemory<byte> batch = _buffer.Slice(ConsumedBytes, (int)size);
        Current = new RecordBatchView(batch, RecordBatchHeader.Read(batch.Span), ConsumedBytes);
        ConsumedBytes += (int)size;
        return true;
    }
}
