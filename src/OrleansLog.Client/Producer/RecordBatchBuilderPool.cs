using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// Keeps idle <see cref="RecordBatchBuilder"/>s so their pooled buffers, grown to the batch size, serve the
/// next batch of any partition instead of being rented and grown again. At most <see cref="MaxIdle"/> idle
/// builders are kept; extra ones return their buffers to the array pool.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class RecordBatchBuilderPool(CompressionType compression, int batchBytes)
{
    /// <summary>Idle builders kept; enough for the open batches of a few dozen busy partitions.</summary>
    public const int MaxIdle = 64;

    private readonly Lock _gate = new();
    private readonly Stack<RecordBatchBuilder> _idle = new();

    public RecordBatchBuilder Rent()
    {
        lock (_gate)
        {
            if (_idle.TryPop(out RecordBatchBuilder? builder))
            {
                return builder;
            }
        }

        return new RecordBatchBuilder(compression, batchBytes);
    }

    public void Return(RecordBatchBuilder builder)
    {
        builder.Reset();
        lock (_gate)
        {
            if (_idle.Count < MaxIdle)
            {
                _idle.Push(builder);
                return;
            }
        }

        builder.Dispose();
    }

    /// <summary>Returns every idle builder's buffers to the array pool.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            while (_idle.TryPop(out RecordBatchBuilder? builder))
            {
                builder.Dispose();
            }
        }
    }
}
