namespace OrleansLog.Records;

/// <summary>
/// Walks a buffer of back-to-back batches, as a fetch response or a log segment holds them, by their
/// batchLength fields alone. Kafka lets a fetch end in a partial batch (the broker cuts at the byte
/// limit), so the walk stops quietly at a trailing fragment instead of failing.
/// </summary>
public static class RecordBatchSequence
{
    /// <summary>
    /// Enumerates the complete batches at the start of <paramref name="buffer"/>. After the loop,
    /// <see cref="RecordBatchSequenceEnumerator.ConsumedBytes"/> tells how many bytes the complete
    /// batches covered; anything after that is a partial batch, or bytes too short or too broken to be
    /// one. Use the enumerator directly (not <c>foreach</c>) to read that value.
    /// </summary>
    public static RecordBatchSequenceEnumerator Enumerate(ReadOnlyMemory<byte> buffer) => new(buffer);
}
