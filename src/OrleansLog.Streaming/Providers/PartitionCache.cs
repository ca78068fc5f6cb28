using System.Diagnostics.CodeAnalysis;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// The pulling agent's cache of one partition: the last <see cref="OrleansLogStreamOptions.CacheSize"/>
/// containers the receiver read (at most <see cref="OrleansLogStreamOptions.CacheMaxBytes"/> of them), each linked to the next of its stream so a cursor moves in O(1). It is a
/// window, not a store: every stream record in <c>[LowOffset, EndOffset)</c> is here, and a cursor that needs
/// anything older — a token from the past, <c>EarliestAvailable</c>, or a subscriber so slow the window moved
/// past it — reads it from the partition's log (<see cref="ReplayReader"/>) and rejoins the window when it
/// catches up. The cache therefore never refuses new events and never grows (no back-pressure on the queue,
/// none needed: a slow subscriber only costs log reads).
/// </summary>
/// <remarks>
/// The cache also knows every cursor, which is what makes its <see cref="CheckpointFloor"/> safe: the lowest
/// offset some subscriber still needs. Single-threaded, like the agent that owns it.
/// </remarks>
internal sealed class PartitionCache : IQueueCache
{
    private readonly PartitionQueue _queue;
    private readonly CacheEntry?[] _ring;
    private readonly Dictionary<StreamId, (CacheEntry Head, CacheEntry Tail)> _streams = [];
    private readonly HashSet<PartitionCursor> _cursors = [];
    private long _bytes;
    private long _firstSequence;
    private long _nextSequence;

    public PartitionCache(PartitionQueue queue)
    {
        _queue = queue;
        _ring = new CacheEntry?[queue.Options.CacheSize];
    }

    public PartitionQueue Queue => _queue;

    /// <summary>False until the receiver knows where it starts reading.</summary>
    public bool IsPositioned { get; private set; }

    /// <summary>Every stream record from here up to <see cref="EndOffset"/> is cached.</summary>
    public long LowOffset { get; private set; }

    /// <summary>The offset after the last record the receiver handed to the cache.</summary>
    public long EndOffset { get; private set; }

    public int Count => (int)(_nextSequence - _firstSequence);

    /// <summary>Empties the cache and starts it at <paramref name="offset"/> (the receiver started or jumped there).</summary>
    public void Position(long offset)
    {
        while (Count > 0)
        {
            EvictOldest();
        }

        LowOffset = offset;
        EndOffset = offset;
        IsPositioned = true;
    }

    public void AddToCache(IList<IBatchContainer> messages)
    {
        foreach (IBatchContainer message in messages)
        {
            if (message is not LogBatchContainer container)
            {
                continue; // wake markers
            }

            long size = container.SizeInBytes;
            while (Count == _ring.Length || (Count > 0 && _bytes + size > _queue.Options.CacheMaxBytes))
            {
                EvictOldest();
            }

            _bytes += size;
            var entry = new CacheEntry(container, _nextSequence);
            _ring[_nextSequence % _ring.Length] = entry;
            _nextSequence++;
            if (_streams.TryGetValue(container.StreamId, out var chain))
            {
                chain.Tail.NextInStream = entry;
                _streams[container.StreamId] = (chain.Head, entry);
            }
            else
            {
                _streams[container.StreamId] = (entry, entry);
            }

            EndOffset = Math.Max(EndOffset, container.LastOffset + 1);
        }

        if (ReferenceEquals(messages, _queue.LastHanded))
        {
            EndOffset = Math.Max(EndOffset, _queue.LastHandedEnd);
        }
    }

    /// <summary>Nothing to purge on delivery: the window evicts by size and the receiver checkpoints from <see cref="CheckpointFloor"/>.</summary>
    public bool TryPurgeFromCache([MaybeNullWhen(false)] out IList<IBatchContainer> purgedItems)
    {
        purgedItems = null;
        return false;
    }

    [Obsolete("Use TryGetCacheCursor instead.")]
    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token) => CreateCursor(streamId, token);

    public QueueCacheCursorResult<IQueueCacheCursor> TryGetCacheCursor(StreamId streamId, StreamSequenceToken? token) =>
        QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(CreateCursor(streamId, token));

    /// <summary>
    /// <c>Latest</c>: events from now on. <c>EarliestAvailable</c>: from the log start of the partition — the
    /// earliest retained on disk, not only in this cache.
    /// </summary>
    public QueueCacheCursorResult<IQueueCacheCursor> TryGetCacheCursorAtPosition(StreamId streamId, StreamSubscriptionStartPosition startPosition) =>
        startPosition switch
        {
            StreamSubscriptionStartPosition.Latest => TryGetCacheCursor(streamId, null),
            StreamSubscriptionStartPosition.EarliestAvailable =>
                QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(Register(new PartitionCursor(this, streamId, 0, clampToLogStart: true, floorMinimum: _queue.CommittedOffset))),
            _ => throw new ArgumentOutOfRangeException(nameof(startPosition), startPosition, "The subscription start position is not defined."),
        };

    public bool IsUnderPressure() => false;

    public int GetMaxAddCount() => QueueAdapterConstants.UNLIMITED_GET_QUEUE_MSG;

    /// <summary>The first cached entry of <paramref name="stream"/> whose records reach <paramref name="fromOffset"/>.</summary>
    public CacheEntry? FindFirst(StreamId stream, long fromOffset)
    {
        if (!_streams.TryGetValue(stream, out var chain))
        {
            return null;
        }

        CacheEntry? entry = chain.Head;
        while (entry is not null && entry.Container.LastOffset < fromOffset)
        {
            entry = entry.NextInStream;
        }

        return entry;
    }

    public bool Contains(CacheEntry entry) => entry.Sequence >= _firstSequence && entry.Sequence < _nextSequence;

    /// <summary>
    /// The offset below which no cursor needs anything: what the queue may commit. At most <see cref="EndOffset"/>.
    /// </summary>
    public long CheckpointFloor()
    {
        long floor = EndOffset;
        foreach (PartitionCursor cursor in _cursors)
        {
            floor = Math.Min(floor, cursor.CheckpointFloor());
        }

        return floor;
    }

    public void Unregister(PartitionCursor cursor) => _cursors.Remove(cursor);

    private PartitionCursor CreateCursor(StreamId streamId, StreamSequenceToken? token)
    {
        if (token is null)
        {
            // From now on: everything the receiver hands over after this point.
            return Register(new PartitionCursor(this, streamId, IsPositioned ? EndOffset : -1, clampToLogStart: false, floorMinimum: -1));
        }

        // An explicit token from before the checkpoint does not pull the checkpoint back: the subscription
        // resumes from its own token after a failover, and the other streams of the queue should not be
        // redelivered because one subscriber rewound.
        return Register(new PartitionCursor(this, streamId, Math.Max(0, token.SequenceNumber), clampToLogStart: false, floorMinimum: _queue.CommittedOffset));
    }

    private PartitionCursor Register(PartitionCursor cursor)
    {
        _cursors.Add(cursor);
        return cursor;
    }

    private void EvictOldest()
    {
        long slot = _firstSequence % _ring.Length;
        CacheEntry entry = _ring[slot]!;
        _ring[slot] = null;
        _firstSequence++;
        _bytes -= entry.Container.SizeInBytes;
        StreamId stream = entry.Container.StreamId;
        var chain = _streams[stream];
        if (ReferenceEquals(chain.Head, entry))
        {
            if (entry.NextInStream is { } next)
            {
                _streams[stream] = (next, chain.Tail);
            }
            else
            {
                _streams.Remove(stream);
            }
        }

        // Cursors anchored on an evicted entry look their stream up by offset instead of following links.
        entry.NextInStream = null;
        LowOffset = Math.Max(LowOffset, entry.Container.LastOffset + 1);
    }
}
