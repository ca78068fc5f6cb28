using System.Buffers;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization.Buffers;
using Orleans.Streams;
using OrleansLog.Records;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// Reads one stream's events from its partition's log for a cursor that is behind the cache: fetches of up to
/// <see cref="OrleansLogStreamOptions.FetchMaxBytes"/> through the partition grain, keeping the containers of
/// its stream, one fetch ahead of the cursor. Memory stays bounded by about two fetches
/// (<see cref="OrleansLogStreamOptions.FetchMaxBytes"/>), however far back the cursor started.
/// </summary>
/// <remarks>
/// Cursors are synchronous, so a cursor that finds the buffer empty returns "no data" and the reader asks the
/// queue to wake it (<see cref="PartitionQueue.RequestWake"/>) when the next fetch lands.
/// </remarks>
internal sealed class ReplayReader : IDisposable
{
    public const int MaxBufferedContainers = 8192;

    private readonly PartitionQueue _queue;
    private readonly StreamId _stream;
    private readonly byte[] _key;
    private readonly Queue<LogBatchContainer> _buffer = new();
    private readonly List<IBatchContainer> _parsed = [];
    private bool _reading;
    private long _bufferedBytes;
    private (long Requested, long LogStart, long RestartAt)? _outOfRange;
    private bool _wakeWanted;
    private bool _disposed;
    private bool _atEnd;

    public ReplayReader(PartitionQueue queue, StreamId stream, long fromOffset)
    {
        _queue = queue;
        _stream = stream;
        _key = stream.Key.ToArray();
        ScanOffset = fromOffset;
        ReadMore(wakeWhenRead: false);
    }

    /// <summary>Every record below this offset has been read (and this stream's buffered).</summary>
    public long ScanOffset { get; private set; }

    public bool IsReading => _reading;

    public bool TryTake(out LogBatchContainer? container)
    {
        bool taken = _buffer.TryDequeue(out container);
        if (taken)
        {
            _bufferedBytes -= container!.SizeInBytes;
            if (WantsMore)
            {
                ReadMore(wakeWhenRead: false);
            }
        }

        return taken;
    }

    /// <summary>Read ahead while less than one fetch's worth (and half the container bound) is buffered.</summary>
    private bool WantsMore => !_atEnd && _buffer.Count < MaxBufferedContainers / 2 && _bufferedBytes < _queue.Options.FetchMaxBytes;

    /// <summary>The offset that was gone (below the log start or above the log end), once, after the reader moved on.</summary>
    public (long Requested, long LogStart, long RestartAt)? TakeOutOfRange()
    {
        var outOfRange = _outOfRange;
        _outOfRange = null;
        return outOfRange;
    }

    public void ReadMore(bool wakeWhenRead)
    {
        _wakeWanted |= wakeWhenRead;
        if (!_reading && !_disposed)
        {
            _atEnd = false;
            _reading = true;
            _ = ReadAsync(ScanOffset);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _buffer.Clear();
        _bufferedBytes = 0;
    }

    private async Task ReadAsync(long offset)
    {
        try
        {
            using CancellationTokenSource timeout = _queue.CallTimeout();
            FetchResult result = await _queue.PartitionGrain.FetchAsync(
                new FetchRequest(offset, _queue.Options.FetchMaxBytes, MinBytes: 0, MaxWaitMs: 0), timeout.Token);
            try
            {
                Accept(offset, result);
            }
            finally
            {
                result.Records.Dispose();
            }
        }
        catch (OperationCanceledException) when (_queue.ShutdownToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            StreamsLog.ReplayReadFailed(_queue.Logger, _queue.TopicPartition, offset, _stream, ex);
            await Task.Delay(TimeSpan.FromMilliseconds(200), _queue.Time, CancellationToken.None);
        }
        finally
        {
            _reading = false;
        }

        if (_disposed)
        {
            return;
        }

        if (WantsMore)
        {
            ReadMore(wakeWhenRead: false);
        }

        if (_wakeWanted)
        {
            _wakeWanted = false;
            _queue.RequestWake(_stream);
        }
    }

    private void Accept(long offset, FetchResult result)
    {
        if (result.Error == ErrorCode.OffsetOutOfRange)
        {
            long logStart = Math.Max(0, result.LogStartOffset);
            ScanOffset = offset < logStart ? logStart : Math.Max(logStart, result.HighWatermark);
            _outOfRange = (offset, logStart, ScanOffset);
            return;
        }

        if (result.Error != ErrorCode.None)
        {
            throw new OrleansLog.Client.OrleansLogException(result.Error, $"Replay of stream {_stream} from {_queue.TopicPartition} offset {offset}: {result.Message}");
        }

        int length = result.Records.Length;
        long next = offset;
        if (length > 0)
        {
            byte[] bytes = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                result.Records.CopyTo(bytes.AsSpan(0, length));
                _parsed.Clear();
                using var reader = new RecordBatchReader();
                next = StreamRecordFormat.ReadContainers(
                    bytes.AsMemory(0, length), _queue.NamespaceUtf8, offset, _key, filterByKey: true, _queue.Serializer, reader, _parsed);
                foreach (IBatchContainer container in _parsed)
                {
                    var logContainer = (LogBatchContainer)container;
                    _bufferedBytes += logContainer.SizeInBytes;
                    _buffer.Enqueue(logContainer);
                }

                _parsed.Clear();
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }

        next = Math.Max(next, result.NextOffset);
        _atEnd = next >= result.HighWatermark || next == offset;
        ScanOffset = Math.Max(ScanOffset, next);
    }
}
