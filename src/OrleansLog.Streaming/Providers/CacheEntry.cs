namespace OrleansLog.Streaming.Providers;

/// <summary>A container in a <see cref="PartitionCache"/>, linked to the next cached container of the same stream.</summary>
internal sealed class CacheEntry(LogBatchContainer container, long sequence)
{
    public LogBatchContainer Container { get; } = container;

    /// <summary>Position in the cache's append order; entries below the cache's first sequence are evicted.</summary>
    public long Sequence { get; } = sequence;

    public CacheEntry? NextInStream { get; set; }
}
