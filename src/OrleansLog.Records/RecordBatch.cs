namespace OrleansLog.Records;

/// <summary>
/// Entry point for reading one batch: <c>foreach (Record r in RecordBatch.EnumerateRecords(bytes))</c>.
/// For several concatenated batches, as a fetch returns them, walk them with
/// <see cref="RecordBatchSequence.Enumerate"/> first.
/// </summary>
public static class RecordBatch
{
    /// <summary>
    /// Returns a reader over the records of <paramref name="batch"/>, which must hold exactly one batch.
    /// The reader owns pooled memory for compressed batches: <c>foreach</c> disposes it at the end of the
    /// loop, after which records of a compressed batch are no longer valid. Hold a
    /// <see cref="RecordBatchReader"/> and call <see cref="RecordBatchReader.Reset"/> instead to read
    /// many batches without allocating.
    /// </summary>
    /// <exception cref="InvalidRecordBatchException">Framing, CRC or decompression failed.</exception>
    public static RecordBatchReader EnumerateRecords(ReadOnlyMemory<byte> batch, bool verifyCrc = true) => new(batch, verifyCrc);
}
