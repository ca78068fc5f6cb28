namespace OrleansLog.Records;

/// <summary>
/// Builds one RecordBatch v2 for a producer, byte-compatible with Kafka's <c>MemoryRecordsBuilder</c>:
/// append records until the byte limit, then <see cref="Seal"/> fills in the header (lastOffsetDelta,
/// baseTimestamp = the first record's timestamp, maxTimestamp, recordsCount, batchLength, CRC-32C) and
/// compresses the records section when asked. baseOffset is 0 and partitionLeaderEpoch -1, as a
/// producer sends them; the leader stamps both in place.
/// </summary>
/// <remarks>
/// <para>
/// Poolable: <see cref="Reset"/> starts a new batch and keeps the pooled buffers, so a producer that
/// reuses builders does not allocate per record, or per batch once the buffers have grown (gzip
/// excepted: .NET's deflater allocates per batch). <see cref="Dispose"/> returns the buffers.
/// </para>
/// <para>
/// The byte limit is soft, as in Kafka: the first record is always accepted, however large, and for a
/// compressed batch the size is an estimate from an adaptive compression ratio (Kafka's
/// <c>CompressionRatioEstimator</c>), so a sealed compressed batch can land a little above or well
/// below the limit.
/// </para>
/// <para>Not thread-safe.</para>
/// </remarks>
public sealed class RecordBatchBuilder : IDisposable
{
    /// <summary>Kafka's producer <c>batch.size</c> default.</summary>
    public const int DefaultBatchSizeLimitBytes = 16384;

    // Kafka's COMPRESSION_RATE_ESTIMATION_FACTOR and its ratio update steps: grow fast when compression
    // turns out worse than estimated, shrink slowly when better.
    private const double CompressionEstimationFactor = 1.05;
    private const double RatioDeteriorateStep = 0.05;
    private const double RatioImproveStep = 0.005;

    private readonly PooledBufferWriter _uncompressed = new();
    private readonly PooledBufferWriter _compressed = new();
    private readonly double[] _compressionRatio = [1.0, 1.0, 1.0, 1.0, 1.0];
    private ReadOnlyMemory<byte> _sealed;
    private long _baseTimestamp;
    private long _maxTimestamp;
    private long _producerId;
    private short _producerEpoch;
    private int _baseSequence;
    private bool _isTransactional;

    /// <summary>Creates a builder for one batch at a time.</summary>
    /// <param name="compression">Codec for the records section.</param>
    /// <param name="batchSizeLimitBytes">Soft limit on the sealed batch size, header included.</param>
    public RecordBatchBuilder(CompressionType compression = CompressionType.None, int batchSizeLimitBytes = DefaultBatchSizeLimitBytes)
    {
        Reset(compression, batchSizeLimitBytes);
    }

    public CompressionType Compression { get; private set; }

    /// <summary>Soft limit on the sealed batch size in bytes, header included.</summary>
    public int BatchSizeLimitBytes { get; private set; }

    public int RecordCount { get; private set; }

    /// <summary>True after <see cref="Seal"/> until the next <see cref="Reset"/>.</summary>
    public bool IsSealed { get; private set; }

    /// <summary>
    /// Size of the batch if sealed now: exact without compression or once sealed, otherwise the
    /// uncompressed records scaled by the estimated compression ratio.
    /// </summary>
    public int EstimatedSizeInBytes
    {
        get
        {
            if (IsSealed)
            {
                return _sealed.Length;
            }

            int recordBytes = _uncompressed.WrittenCount - RecordBatchLayout.HeaderSize;
            return (int)Math.Min(int.MaxValue, RecordBatchLayout.HeaderSize + EstimateCompressed(recordBytes));
        }
    }

    /// <summary>
    /// Starts a new, empty batch, keeping the pooled buffers. Producer state goes back to "not
    /// idempotent"; set it again for each batch since baseSequence changes per batch anyway.
    /// </summary>
    public void Reset(CompressionType? compression = null, int? batchSizeLimitBytes = null)
    {
        CompressionType codec = compression ?? Compression;
        if (!RecordCompression.IsKnown(codec))
        {
            throw new ArgumentOutOfRangeException(nameof(compression), codec, "Kafka defines compression ids 0-4 only.");
        }

        int limit = batchSizeLimitBytes ?? BatchSizeLimitBytes;
        if (limit <= RecordBatchLayout.HeaderSize)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSizeLimitBytes), limit, $"The batch size limit must exceed the {RecordBatchLayout.HeaderSize}-byte header.");
        }

        Compression = codec;
        BatchSizeLimitBytes = limit;
        _uncompressed.Clear();
        _uncompressed.GetSpan(RecordBatchLayout.HeaderSize).Clear();
        _uncompressed.Advance(RecordBatchLayout.HeaderSize); // header is written at seal time
        _compressed.Clear();
        _sealed = ReadOnlyMemory<byte>.Empty;
        RecordCount = 0;
        IsSealed = false;
        _baseTimestamp = 0;
        _maxTimestamp = 0;
        _producerId = RecordBatchLayout.NoProducerId;
        _producerEpoch = RecordBatchLayout.NoProducerEpoch;
        _baseSequence = RecordBatchLayout.NoSequence;
        _isTransactional = false;
    }

    /// <summary>
    /// Marks the batch as coming from an idempotent (and optionally transactional) producer. Kafka
    /// deduplicates on (producerId, producerEpoch, baseSequence).
    /// </summary>
    public void SetProducerState(long producerId, short producerEpoch, int baseSequence, bool isTransactional = false)
    {
        ThrowIfSealed();
        _producerId = producerId;
        _producerEpoch = producerEpoch;
        _baseSequence = baseSequence;
        _isTransactional = isTransactional;
    }

    /// <summary>
    /// Appends a record unless it would push the batch past <see cref="BatchSizeLimitBytes"/>; the first
    /// record is always accepted. Copies the bytes, so the spans may be reused as soon as this returns.
    /// </summary>
    /// <returns>False when the batch is full; seal it and start another.</returns>
    public bool TryAppend(
        long timestampMs,
        ReadOnlySpan<byte> key,
        bool keyIsNull,
        ReadOnlySpan<byte> value,
        bool valueIsNull,
        ReadOnlySpan<RecordHeader> headers = default)
    {
        ThrowIfSealed();
        int offsetDelta = RecordCount;
        long timestampDelta = RecordCount == 0 ? 0 : timestampMs - _baseTimestamp;
        long bodySize = RecordEncoder.SizeOfBody(
            timestampDelta, offsetDelta, keyIsNull ? -1 : key.Length, valueIsNull ? -1 : value.Length, headers);
        long recordSize = bodySize + Varint.MaxVarintBytes;
        if ((long)_uncompressed.WrittenCount + recordSize > Array.MaxLength)
        {
            throw new ArgumentException($"A record of {bodySize} bytes does not fit in a batch; a batch holds at most {Array.MaxLength} bytes.", nameof(value));
        }

        recordSize = bodySize + Varint.SizeOfVarint((int)bodySize);
        if (RecordCount > 0 && EstimatedSizeInBytes + EstimateCompressed((int)recordSize) > BatchSizeLimitBytes)
        {
            return false;
        }

        Span<byte> destination = _uncompressed.GetSpan((int)recordSize);
        int written = RecordEncoder.Write(
            destination, (int)bodySize, timestampDelta, offsetDelta, key, keyIsNull, value, valueIsNull, headers);
        _uncompressed.Advance(written);

        if (RecordCount == 0)
        {
            _baseTimestamp = timestampMs;
            _maxTimestamp = timestampMs;
        }
        else if (timestampMs > _maxTimestamp)
        {
            _maxTimestamp = timestampMs;
        }

        RecordCount++;
        return true;
    }

    /// <summary>Appends a record whose null key or value is a null array.</summary>
    public bool TryAppend(long timestampMs, byte[]? key, byte[]? value, ReadOnlySpan<RecordHeader> headers = default) =>
        TryAppend(timestampMs, key, key is null, value, value is null, headers);

    /// <summary>
    /// Finishes the batch: compresses the records section if needed and writes the header and CRC.
    /// Calling it again returns the same bytes. The memory belongs to the builder and stays valid until
    /// <see cref="Reset"/> or <see cref="Dispose"/>; copy it (<see cref="ToArray"/>) to keep it longer.
    /// </summary>
    /// <exception cref="InvalidOperationException">No record was appended; Kafka batches are never empty.</exception>
    public ReadOnlyMemory<byte> Seal()
    {
        if (IsSealed)
        {
            return _sealed;
        }

        if (RecordCount == 0)
        {
            throw new InvalidOperationException("Cannot seal an empty batch: a RecordBatch holds at least one record.");
        }

        PooledBufferWriter target = _uncompressed;
        if (Compression != CompressionType.None)
        {
            _compressed.Clear();
            _compressed.GetSpan(RecordBatchLayout.HeaderSize);
            _compressed.Advance(RecordBatchLayout.HeaderSize);
            ReadOnlySpan<byte> records = _uncompressed.WrittenSpan[RecordBatchLayout.HeaderSize..];
            RecordCompression.Compress(Compression, records, _compressed);
            UpdateCompressionRatio(records.Length, _compressed.WrittenCount - RecordBatchLayout.HeaderSize);
            target = _compressed;
        }

        Span<byte> batch = target.WrittenSpan;
        short attributes = (short)((int)Compression | (_isTransactional ? RecordBatchLayout.TransactionalFlagMask : 0));
        var header = new RecordBatchHeader(
            BaseOffset: 0,
            BatchLength: batch.Length - RecordBatchLayout.LogOverhead,
            PartitionLeaderEpoch: RecordBatchLayout.NoPartitionLeaderEpoch,
            Magic: RecordBatchLayout.CurrentMagic,
            Crc: 0,
            Attributes: attributes,
            LastOffsetDelta: RecordCount - 1,
            BaseTimestamp: _baseTimestamp,
            MaxTimestamp: _maxTimestamp,
            ProducerId: _producerId,
            ProducerEpoch: _producerEpoch,
            BaseSequence: _baseSequence,
            RecordsCount: RecordCount);
        header.WriteTo(batch);
        RecordBatchHeader.WriteCrc(batch);

        _sealed = target.WrittenMemory;
        IsSealed = true;
        return _sealed;
    }

    /// <summary>Copies the sealed batch into a new array.</summary>
    /// <exception cref="InvalidOperationException">The batch is not sealed yet.</exception>
    public byte[] ToArray()
    {
        if (!IsSealed)
        {
            throw new InvalidOperationException("Seal the batch before copying it.");
        }

        return _sealed.ToArray();
    }

    /// <summary>Seals the batch and copies it into a new array that outlives the builder.</summary>
    public byte[] SealToArray() => Seal().ToArray();

    /// <summary>Returns the pooled buffers. The builder may be <see cref="Reset"/> and used again.</summary>
    public void Dispose()
    {
        _sealed = ReadOnlyMemory<byte>.Empty;
        IsSealed = false;
        RecordCount = 0;
        _uncompressed.Dispose();
        _compressed.Dispose();
    }

    private long EstimateCompressed(int uncompressedBytes) =>
        Compression == CompressionType.None
            ? uncompressedBytes
            : (long)Math.Ceiling(uncompressedBytes * _compressionRatio[(int)Compression] * CompressionEstimationFactor);

    private void UpdateCompressionRatio(int uncompressedBytes, int compressedBytes)
    {
        if (uncompressedBytes == 0)
        {
            return;
        }

        double observed = (double)compressedBytes / uncompressedBytes;
        double current = _compressionRatio[(int)Compression];
        _compressionRatio[(int)Compression] = observed > current
            ? Math.Max(current + RatioDeteriorateStep, observed)
            : Math.Max(current - RatioImproveStep, observed);
    }

    private void ThrowIfSealed()
    {
        if (IsSealed)
        {
            throw new InvalidOperationException("The batch is sealed; call Reset to start another.");
        }

        if (_uncompressed.WrittenCount < RecordBatchLayout.HeaderSize)
        {
            throw new InvalidOperationException("The builder was disposed; call Reset before appending again.");
        }
    }
}
