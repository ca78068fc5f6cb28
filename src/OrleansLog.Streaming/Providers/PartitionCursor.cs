using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// One subscription's position in a partition: in the cache while its events are there, in the log
/// (<see cref="ReplayReader"/>) while they are not. Every record of the stream below <c>_nextOffset</c> has
/// been handed out; the cursor moves from the log back to the cache as soon as its log read reaches the
/// cache's window, and from the cache to the log when the window moved past it, so a subscription sees each
/// event once, in order, whichever way it came.
/// </summary>
/// <remarks>
/// The pulling agent calls <see cref="MoveNextWithResult"/> only after it delivered what the cursor handed
/// before (up to <see cref="OrleansLogStreamOptions.DeliveryBatchSize"/> at a time), which is how the cursor
/// knows what is confirmed, and so what the queue may checkpoint.
/// </remarks>
internal sealed class PartitionCursor : IQueueCacheCursor
{
    private readonly PartitionCache _cache;
    private readonly StreamId _stream;
    private readonly bool _clampToLogStart;
    private readonly long _floorMinimum;
    private readonly int _deliveryBatchSize;
    private long _nextOffset;
    private CacheEntry? _anchor;
    private LogBatchContainer? _current;
    private ReplayReader? _replay;
    private long _unconfirmedFrom = long.MaxValue;
    private int _handedInBatch;
    private bool _batchClosed;
    private bool _disposed;

    public PartitionCursor(PartitionCache cache, StreamId stream, long nextOffset, bool clampToLogStart, long floorMinimum)
    {
        _cache = cache;
        _stream = stream;
        _nextOffset = nextOffset;
        _clampToLogStart = clampToLogStart;
        _floorMinimum = floorMinimum;
        _deliveryBatchSize = cache.Queue.Options.DeliveryBatchSize;
    }

    /// <summary>True while the cursor reads from the log rather than the cache.</summary>
    public bool IsReplaying => _replay is not null;

    public IBatchContainer? GetCurrent(out Exception? exception)
    {
        exception = null;
        return _current;
    }

    [Obsolete("Use MoveNextWithResult instead.")]
    public bool MoveNext() => MoveNextWithResult().Kind == QueueCacheCursorMoveResultKind.Success;

    public QueueCacheCursorMoveResult MoveNextWithResult()
    {
        if (_batchClosed)
        {
            _unconfirmedFrom = long.MaxValue;
            _handedInBatch = 0;
            _batchClosed = false;
        }

        if (_disposed)
        {
            return QueueCacheCursorMoveResult.NoData;
        }

        if (_nextOffset < 0)
        {
            if (!_cache.IsPositioned)
            {
                return QueueCacheCursorMoveResult.NoData;
            }

            _nextOffset = _cache.LowOffset;
        }

        LogBatchContainer? next = _replay is null ? NextFromCache() : NextFromLog();
        if (next is null)
        {
            if (_handedInBatch > 0)
            {
                _batchClosed = true;
            }

            return QueueCacheCursorMoveResult.NoData;
        }

        _current = next;
        _nextOffset = next.LastOffset + 1;
        if (_unconfirmedFrom == long.MaxValue)
        {
            _unconfirmedFrom = next.FirstOffset;
        }

        if (++_handedInBatch >= _deliveryBatchSize)
        {
            _batchClosed = true;
        }

        return QueueCacheCursorMoveResult.Success;
    }

    /// <summary>Nothing to do: new events reach the cursor through the cache's stream links.</summary>
    public void Refresh(StreamSequenceToken token)
    {
    }

    /// <summary>The failure handler has the event (dead letter); the cursor moves on as Orleans asks.</summary>
    public void RecordDeliveryFailure()
    {
    }

    /// <summary>The lowest offset this cursor may still hand out again after a crash (see <see cref="PartitionCache.CheckpointFloor"/>).</summary>
    public long CheckpointFloor()
    {
        long floor;
        if (_unconfirmedFrom != long.MaxValue)
        {
            floor = _unconfirmedFrom;
        }
        else if (_replay is not null || _nextOffset < 0)
        {
            floor = Math.Max(0, _nextOffset);
        }
        else if (_anchor is not null && _cache.Contains(_anchor) && _anchor.NextInStream is { } pending)
        {
            floor = pending.Container.FirstOffset;
        }
        else if (_anchor is null && _cache.FindFirst(_stream, _nextOffset) is { } waiting)
        {
            floor = waiting.Container.FirstOffset;
        }
        else
        {
            // Caught up with the cache: nothing of this stream is waiting.
            return long.MaxValue;
        }

        return Math.Max(floor, _floorMinimum);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _replay?.Dispose();
        _replay = null;
        _cache.Unregister(this);
    }

    private LogBatchContainer? NextFromCache()
    {
        CacheEntry? entry;
        if (_anchor is not null && _cache.Contains(_anchor))
        {
            entry = _anchor.NextInStream;
            if (entry is null)
            {
                return null;
            }
        }
        else
        {
            if (_nextOffset < _cache.LowOffset)
            {
                // The window has moved past this cursor (or never held what it asked for): read the log.
                _anchor = null;
                _replay = new ReplayReader(_cache.Queue, _stream, _nextOffset);
                return NextFromLog();
            }

            entry = _cache.FindFirst(_stream, _nextOffset);
            if (entry is null)
            {
                _anchor = null;
                return null;
            }
        }

        _anchor = entry;
        return entry.Container;
    }

    private LogBatchContainer? NextFromLog()
    {
        ReplayReader replay = _replay!;
        if (replay.TakeOutOfRange() is { } outOfRange)
        {
            // Said before anything from the log start is handed out.
            _nextOffset = outOfRange.RestartAt;
            if (!_clampToLogStart && _cache.Queue.ShouldReportOutOfRange(_stream))
            {
                throw new StreamOffsetOutOfRangeException(_stream.ToString(), _cache.Queue.TopicPartition.ToString(), outOfRange.Requested, outOfRange.LogStart);
            }
        }

        if (replay.TryTake(out LogBatchContainer? container))
        {
            return container;
        }

        if (!replay.IsReading && _cache.IsPositioned && replay.ScanOffset >= _cache.LowOffset)
        {
            // Everything of this stream below the scan offset came from the log; the rest is in the window.
            _nextOffset = Math.Max(_nextOffset, replay.ScanOffset);
            replay.Dispose();
            _replay = null;
            return NextFromCache();
        }

        replay.ReadMore(wakeWhenRead: true);
        return null;
    }
}
