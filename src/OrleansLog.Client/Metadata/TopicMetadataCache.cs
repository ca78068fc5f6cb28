using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OrleansLog.Grains;

namespace OrleansLog.Client;

/// <summary>
/// The producer's view of each topic's partition count, read from the topic grain and trusted for
/// <see cref="ProducerOptions.MetadataMaxAge"/>. A stale entry keeps serving its count while one
/// background read refreshes it, so producing never waits for metadata after the first record of a topic.
/// </summary>
/// <remarks>
/// Thread-safe. At most one read per topic is outstanding. A topic that does not exist is not cached: the
/// caller gets <see cref="ErrorCode.UnknownTopicOrPartition"/> and the next produce asks again.
/// </remarks>
internal sealed partial class TopicMetadataCache
{
    /// <summary>After a failed background refresh, the stale count is used this long before the next try.</summary>
    private const long FailedRefreshRetryMs = 1000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly IGrainFactory _grainFactory;
    private readonly MonotonicClock _clock;
    private readonly long _maxAgeMs;
    private readonly ILogger _logger;

    public TopicMetadataCache(IGrainFactory grainFactory, MonotonicClock clock, TimeSpan maxAge, ILogger logger)
    {
        _grainFactory = grainFactory;
        _clock = clock;
        _maxAgeMs = (long)maxAge.TotalMilliseconds;
        _logger = logger;
    }

    /// <summary>
    /// The cached partition count of <paramref name="topic"/>, fresh or stale; starts a background refresh
    /// when it is stale. False when the topic was never read or was found missing.
    /// </summary>
    public bool TryGetPartitionCount(string topic, out int partitionCount)
    {
        if (!_entries.TryGetValue(topic, out Entry? entry) || (partitionCount = entry.PartitionCount) == 0)
        {
            partitionCount = 0;
            return false;
        }

        if (_clock.NowMs >= entry.ExpiresAtMs && entry.Read is not { IsCompleted: false })
        {
            _ = RefreshInBackgroundAsync(entry);
        }

        return true;
    }

    /// <summary>Reads the topic's metadata now (joining a read already under way).</summary>
    /// <exception cref="OrleansLogException">UnknownTopicOrPartition when the topic does not exist.</exception>
    public Task<int> RefreshAsync(string topic, CancellationToken cancellationToken)
    {
        Entry entry = _entries.GetOrAdd(topic, static name => new Entry(name));
        return GetOrStartRead(entry).WaitAsync(cancellationToken);
    }

    /// <summary>Marks the topic stale, after the leader answered UnknownTopicOrPartition or similar.</summary>
    public void Invalidate(string topic)
    {
        if (_entries.TryGetValue(topic, out Entry? entry))
        {
            entry.ExpiresAtMs = 0;
        }
    }

    private async Task RefreshInBackgroundAsync(Entry entry)
    {
        try
        {
            await GetOrStartRead(entry);
        }
        catch (Exception ex)
        {
            LogRefreshFailed(_logger, ex, entry.Topic);
        }
    }

    private Task<int> GetOrStartRead(Entry entry)
    {
        lock (entry)
        {
            if (entry.Read is { IsCompleted: false } running)
            {
                return running;
            }

            Task<int> read = ReadAsync(entry);
            entry.Read = read;
            return read;
        }
    }

    private async Task<int> ReadAsync(Entry entry)
    {
        await Task.Yield();
        TopicMetadata metadata;
        try
        {
            metadata = await _grainFactory.GetGrain<ITopicGrain>(entry.Topic).GetMetadataAsync(CancellationToken.None);
        }
        catch
        {
            entry.ExpiresAtMs = _clock.NowMs + FailedRefreshRetryMs;
            throw;
        }

        if (!metadata.Exists || metadata.PartitionCount <= 0)
        {
            entry.PartitionCount = 0;
            throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"Topic '{entry.Topic}' does not exist.");
        }

        int previous = entry.PartitionCount;
        entry.PartitionCount = metadata.PartitionCount;
        entry.ExpiresAtMs = _clock.NowMs + _maxAgeMs;
        if (previous != 0 && previous != metadata.PartitionCount)
        {
            LogPartitionCountChanged(_logger, entry.Topic, previous, metadata.PartitionCount);
        }

        return metadata.PartitionCount;
    }

    private sealed class Entry(string topic)
    {
        private int _partitionCount;
        private long _expiresAtMs;

        public string Topic { get; } = topic;

        public int PartitionCount
        {
            get => Volatile.Read(ref _partitionCount);
            set => Volatile.Write(ref _partitionCount, value);
        }

        public long ExpiresAtMs
        {
            get => Volatile.Read(ref _expiresAtMs);
            set => Volatile.Write(ref _expiresAtMs, value);
        }

        public Task<int>? Read { get; set; }
    }
}
