namespace OrleansLog.Records;

/// <summary>
/// Decides whether bytes are a sound RecordBatch v2 before the broker stores them (Kafka
/// <c>LogValidator</c> plus <c>DefaultRecordBatch.ensureValid</c>). The broker then writes the bytes as
/// they came, so everything a later reader relies on is checked here, once: framing, CRC, codec,
/// counts, offset deltas, and every record's structure.
/// </summary>
/// <remarks>
/// Validation never changes the batch. A compressed batch is decompressed once into a pooled buffer
/// bounded by <see cref="MaxDecompressedBytes"/> and the buffer is returned before the call ends; the
/// original compressed bytes are what gets stored. Failures are values, not exceptions; each message
/// names the field and gives expected and actual values ("expected" is what the bytes imply, "actual"
/// what the header claims). Thread-safe: the only shared state is a per-thread scratch buffer.
/// </remarks>
public static class RecordBatchValidator
{
    /// <summary>
    /// Upper bound on a decompressed records section (256 MiB). A batch that is small on the wire can
    /// inflate to gigabytes; past this bound it is rejected as <see cref="ErrorCode.MessageTooLarge"/>
    /// instead of being allowed to exhaust memory.
    /// </summary>
    public const int MaxDecompressedBytes = 256 * 1024 * 1024;

    // One scratch writer per thread; its array goes back to the pool after every call, so an idle
    // thread holds no large buffer and a busy one allocates nothing.
    [ThreadStatic]
    private static PooledBufferWriter? t_scratch;

    /// <summary>
    /// Cheap checks only, for storage recovery scanning a log: the buffer is exactly one batch
    /// (at least 61 bytes, batchLength + 12 == length), magic is 2, the CRC matches and
    /// lastOffsetDelta is not negative. Records are not decoded.
    /// </summary>
    public static BatchValidationResult ValidateFraming(ReadOnlySpan<byte> batch)
    {
        if (!TryCheckFrame(batch, out RecordBatchHeader header, out BatchFrameStatus frame, out BatchValidationResult failure)
            || !TryCheckMagicAndCrc(batch, header, frame, out failure))
        {
            return failure;
        }

        if (frame == BatchFrameStatus.NegativeLastOffsetDelta)
        {
            return BatchValidationResult.Invalid(
                ErrorCode.CorruptMessage, $"lastOffsetDelta expected >= 0, actual {header.LastOffsetDelta}", batch.Length, header);
        }

        return BatchValidationResult.Valid(header);
    }

    /// <summary>
    /// Full validation of a batch a producer sent. Besides the framing checks: size at most
    /// <paramref name="maxBatchBytes"/> (MessageTooLarge), a known codec (UnsupportedCompressionType),
    /// no control batch unless <paramref name="allowControlBatch"/> (InvalidRecord), recordsCount &gt; 0
    /// and equal to the records decoded, lastOffsetDelta == recordsCount - 1, record i has offsetDelta i
    /// (InvalidRecord), every record well formed inside its length (CorruptMessage), and for CreateTime
    /// batches maxTimestamp at least every record's timestamp (InvalidTimestamp), because time-based
    /// retention and the time index trust maxTimestamp without reading records.
    /// </summary>
    public static BatchValidationResult Validate(ReadOnlySpan<byte> batch, int maxBatchBytes, bool allowControlBatch = false)
    {
        if (!TryCheckFrame(batch, out RecordBatchHeader header, out BatchFrameStatus frame, out BatchValidationResult failure))
        {
            return failure;
        }

        if (batch.Length > maxBatchBytes)
        {
            return BatchValidationResult.Invalid(
                ErrorCode.MessageTooLarge, $"batch size expected at most {maxBatchBytes} bytes, actual {batch.Length}", batch.Length, header);
        }

        if (!TryCheckMagicAndCrc(batch, header, frame, out failure))
        {
            return failure;
        }

        if (!RecordCompression.IsKnown(header.Compression))
        {
            return BatchValidationResult.Invalid(
                ErrorCode.UnsupportedCompressionType,
                $"compression codec expected 0..4 (none, gzip, snappy, lz4, zstd), actual {(int)header.Compression}",
                batch.Length,
                header);
        }

        if (header.IsControl && !allowControlBatch)
        {
            return BatchValidationResult.Invalid(
                ErrorCode.InvalidRecord, $"attributes expected no control flag (0x0020) from a producer, actual 0x{header.Attributes:X4}", batch.Length, header);
        }

        if (header.RecordsCount <= 0)
        {
            return BatchValidationResult.Invalid(
                ErrorCode.InvalidRecord, $"recordsCount expected > 0, actual {header.RecordsCount}", batch.Length, header);
        }

        if (header.LastOffsetDelta != header.RecordsCount - 1)
        {
            return BatchValidationResult.Invalid(
                ErrorCode.InvalidRecord,
                $"lastOffsetDelta expected {header.RecordsCount - 1} (recordsCount - 1), actual {header.LastOffsetDelta}",
                batch.Length,
                header);
        }

        ReadOnlySpan<byte> compressedRecords = batch[RecordBatchLayout.HeaderSize..];
        if (header.Compression == CompressionType.None)
        {
            return ValidateRecords(compressedRecords, header, batch.Length);
        }

        PooledBufferWriter scratch = t_scratch ??= new PooledBufferWriter(MaxDecompressedBytes);
        try
        {
            ErrorCode error = RecordCompression.TryDecompress(header.Compression, compressedRecords, scratch, out string? message);
            if (error != ErrorCode.None)
            {
                return BatchValidationResult.Invalid(error, message!, batch.Length, header);
            }

            return ValidateRecords(scratch.WrittenSpan, header, batch.Length);
        }
        finally
        {
            scratch.Dispose();
        }
    }

    /// <summary>
    /// Length and magic only, without the CRC: for readers told not to verify the checksum, which still
    /// must not misparse a batch of another layout.
    /// </summary>
    internal static BatchValidationResult ValidateLengthAndMagic(ReadOnlySpan<byte> batch)
    {
        if (!TryCheckFrame(batch, out RecordBatchHeader header, out BatchFrameStatus frame, out BatchValidationResult failure))
        {
            return failure;
        }

        if (frame == BatchFrameStatus.InvalidMagic)
        {
            return MagicMismatch(header, batch.Length);
        }

        return BatchValidationResult.Valid(header);
    }

    /// <summary>
    /// The frame checks every batch walk shares (<see cref="RecordBatchFraming.CheckHeader"/>), for a buffer
    /// that must hold exactly one batch: what is left to decide after it (<paramref name="frame"/>) is only
    /// <see cref="BatchFrameStatus.Valid"/>, <see cref="BatchFrameStatus.InvalidMagic"/> or
    /// <see cref="BatchFrameStatus.NegativeLastOffsetDelta"/>, in the order the callers report them.
    /// </summary>
    private static bool TryCheckFrame(
        ReadOnlySpan<byte> batch, out RecordBatchHeader header, out BatchFrameStatus frame, out BatchValidationResult failure)
    {
        header = default;
        frame = default;
        if (batch.Length < RecordBatchLayout.HeaderSize)
        {
            failure = BatchValidationResult.Invalid(
                ErrorCode.CorruptMessage, $"batch size expected at least {RecordBatchLayout.HeaderSize} bytes, actual {batch.Length}", batch.Length);
            return false;
        }

        frame = RecordBatchFraming.CheckHeader(batch, batch.Length, out long size);
        header = RecordBatchHeader.Read(batch);
        if (size != batch.Length)
        {
            // Too short a batchLength, or one past the buffer (or short of its end): not exactly one batch.
            failure = BatchValidationResult.Invalid(
                ErrorCode.CorruptMessage,
                $"batchLength expected {batch.Length - RecordBatchLayout.LogOverhead} (buffer length - {RecordBatchLayout.LogOverhead}), actual {header.BatchLength}",
                batch.Length,
                header);
            return false;
        }

        failure = default;
        return true;
    }

    private static bool TryCheckMagicAndCrc(ReadOnlySpan<byte> batch, RecordBatchHeader header, BatchFrameStatus frame, out BatchValidationResult failure)
    {
        if (frame == BatchFrameStatus.InvalidMagic)
        {
            failure = MagicMismatch(header, batch.Length);
            return false;
        }

        uint computed = RecordBatchHeader.ComputeCrc(batch);
        if (computed != header.Crc)
        {
            failure = BatchValidationResult.Invalid(
                ErrorCode.CorruptMessage, $"crc expected 0x{computed:X8}, actual 0x{header.Crc:X8}", batch.Length, header);
            return false;
        }

        failure = default;
        return true;
    }

    private static BatchValidationResult MagicMismatch(RecordBatchHeader header, int batchBytes) =>
        BatchValidationResult.Invalid(
            ErrorCode.CorruptMessage, $"magic expected {RecordBatchLayout.CurrentMagic}, actual {header.Magic}", batchBytes, header);

    private static BatchValidationResult ValidateRecords(ReadOnlySpan<byte> records, RecordBatchHeader header, int batchBytes)
    {
        int position = 0;
        int index = 0;
        long maxTimestamp = long.MinValue;
        while (position < records.Length)
        {
            if (!RecordDecoder.TryDecode(records, position, index, out RecordSlices record, out string? error))
            {
                return BatchValidationResult.Invalid(ErrorCode.CorruptMessage, error!, batchBytes, header);
            }

            if (record.OffsetDelta != index)
            {
                return BatchValidationResult.Invalid(
                    ErrorCode.InvalidRecord, $"record {index} at position {position}: offsetDelta expected {index}, actual {record.OffsetDelta}", batchBytes, header);
            }

            long timestamp = header.BaseTimestamp + record.TimestampDelta;
            if (timestamp > maxTimestamp)
            {
                maxTimestamp = timestamp;
            }

            position = record.End;
            index++;
        }

        if (index != header.RecordsCount)
        {
            return BatchValidationResult.Invalid(
                ErrorCode.InvalidRecord, $"recordsCount expected {index} (records decoded), actual {header.RecordsCount}", batchBytes, header);
        }

        if (!header.IsLogAppendTime && header.MaxTimestamp < maxTimestamp)
        {
            return BatchValidationResult.Invalid(
                ErrorCode.InvalidTimestamp,
                $"maxTimestamp expected >= {maxTimestamp} (largest record timestamp), actual {header.MaxTimestamp}",
                batchBytes,
                header);
        }

        return BatchValidationResult.Valid(header);
    }
}
