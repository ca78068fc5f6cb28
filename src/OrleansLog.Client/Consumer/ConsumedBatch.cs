using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// A lease on the records of one fetch from one partition, as <see cref="IConsumer.ConsumeBatchAsync"/>
/// hands them out: the fetched batches stay in the pooled array they were received into, and each
/// <see cref="Record"/> the enumerator yields is a view of those bytes, so consuming a fetch copies and
/// allocates nothing per record.
/// </summary>
/// <remarks>
/// <para>
/// Ownership: the application owns the lease and must <see cref="Dispose"/> it, which returns the array to
/// <see cref="ArrayPool{T}.Shared"/>. Key, value and header views of every record are valid until then and
/// not after (the array is reused by later fetches): copy what must outlive the lease
/// (<see cref="Record.KeyToArray"/>). A record of a compressed batch points into the enumerator's
/// decompression buffer instead and is valid only until the enumerator moves past that batch. The metadata
/// properties stay valid after disposal. A lease that is never disposed is only a lost pool rent.
/// </para>
/// <para>
/// The consumer's position moves past <see cref="LastOffset"/> when the lease is handed out, as if every
/// record had been consumed. Not thread-safe: the enumerators share one decompression reader, so walk the records again only after
/// the previous loop ended.
/// </para>
/// </remarks>
public sealed class ConsumedBatch : IDisposable
{
    private readonly int _length;
    private byte[]? _bytes;
    private RecordBatchReader? _reader;

    internal ConsumedBatch(TopicPartition topicPartition, byte[] bytes, int length, long firstOffset, long lastOffset, int count)
    {
        TopicPartition = topicPartition;
        _bytes = bytes;
        _length = length;
        FirstOffset = firstOffset;
        LastOffset = lastOffset;
        Count = count;
    }

    public TopicPartition TopicPartition { get; }

    /// <summary>The first offset handed out; earlier records of the first batch are skipped.</summary>
    public long FirstOffset { get; }

    /// <summary>The offset of the last record; the partition's position is <c>LastOffset + 1</c>.</summary>
    public long LastOffset { get; }

    /// <summary>How many records the enumerator yields (control records and skipped offsets excluded); at least 1.</summary>
    public int Count { get; }

    /// <summary>Walks the records in offset order.</summary>
    /// <exception cref="ObjectDisposedException">The lease was disposed.</exception>
    public Enumerator GetEnumerator()
    {
        byte[] bytes = _bytes ?? throw new ObjectDisposedException(nameof(ConsumedBatch), $"The records of {TopicPartition} at offsets {FirstOffset}..{LastOffset} were returned to the pool.");
        _reader ??= new RecordBatchReader();
        return new Enumerator(bytes.AsMemory(0, _length), FirstOffset, _reader);
    }

    /// <summary>Returns the pooled bytes; every record view becomes invalid. Idempotent.</summary>
    public void Dispose()
    {
        _reader?.Dispose();
        if (_bytes is { } bytes)
        {
            _bytes = null;
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    public override string ToString() => $"{TopicPartition}@{FirstOffset}..{LastOffset} ({Count} records)";

    /// <summary>
    /// The allocation-free record enumerator. The batches were verified when the fetch arrived (CRC when
    /// <see cref="ConsumerOptions.CheckCrcs"/>, and every record decoded), so it does not check them again.
    /// </summary>
    [StructLayout(LayoutKind.Auto)]
    public struct Enumerator
    {
        private readonly long _fromOffset;
        private readonly RecordBatchReader _reader;
        private RecordBatchSequenceEnumerator _batches;
        private bool _inBatch;

        internal Enumerator(ReadOnlyMemory<byte> data, long fromOffset, RecordBatchReader reader)
        {
            _fromOffset = fromOffset;
            _reader = reader;
            _batches = RecordBatchSequence.Enumerate(data);
            _inBatch = false;
        }

        public readonly Record Current => _reader.Current;

        /// <summary>Moves to the next record at or above the first offset, skipping control batches.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool MoveNext()
        {
            while (true)
            {
                if (_inBatch)
                {
                    while (_reader.MoveNext())
                    {
                        if (_reader.Current.Offset >= _fromOffset)
                        {
                            return true;
                        }
                    }

                    _inBatch = false;
                }

                if (!_batches.MoveNext())
                {
                    return false;
                }

                RecordBatchHeader header = _batches.Current.Header;
                if (header.NextOffset > _fromOffset && !header.IsControl)
                {
                    _reader.Reset(_batches.Current.Memory, verifyCrc: false);
                    _inBatch = true;
                }
            }
        }
    }
}
