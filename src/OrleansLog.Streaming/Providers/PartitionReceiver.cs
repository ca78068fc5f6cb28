using System.Buffers;
using Orleans.Streams;
using OrleansLog.Records;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// Reads one partition for its pulling agent. Each read is a long-poll fetch through the partition grain: it
/// answers as soon as an event is appended (or after <see cref="OrleansLogStreamOptions.ReceiverMaxWait"/>),
/// so events reach subscribers without waiting for the agent's polling timer, and an idle queue costs one
/// parked call. A read in flight survives the agent's call: when a replaying cursor needs waking the receiver
/// returns its markers at once and picks the same read up next time.
/// </summary>
/// <remarks>
/// Starts at the group's committed offset for the partition; without one at the log start (or end, per
/// <see cref="OrleansLogStreamOptions.StartWithoutCheckpoint"/>), committing that position at once so a restart
/// cannot skip what arrived in between. Nothing is ever deleted: retention is the topic's.
/// </remarks>
internal sealed class PartitionReceiver(PartitionQueue queue) : IQueueAdapterReceiver
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly QueueCheckpointer _checkpointer = new(queue);
    private readonly List<IBatchContainer> _parsed = [];
    private long _position = -1;
    private Task<FetchResult>? _reading;
    private long _retryAtTicks;
    private bool _loggedWaiting;
    private bool _flowing;

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task Initialize(TimeSpan timeout) => Initialize(timeout, CancellationToken.None);

    public async Task Initialize(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await TryPositionAsync(bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Not ready within the agent's timeout: reading retries positioning.
        }
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        var output = new List<IBatchContainer>();
        if (_position < 0 && !await TryPositionAsync(cancellationToken))
        {
            queue.DrainWakeRequests(output);
            return output;
        }

        _checkpointer.MaybeCommit();
        queue.DrainWakeRequests(output);
        if (output.Count == 0 && _flowing && _reading is null && queue.Options.ReceiverLinger > TimeSpan.Zero)
        {
            // Events are flowing: let a few more arrive so that one read takes them all.
            _flowing = false;
            await Task.WhenAny(Task.Delay(queue.Options.ReceiverLinger, queue.Time, cancellationToken), queue.WakeSignal);
            queue.DrainWakeRequests(output);
        }

        if (output.Count == 0 && queue.Time.GetTimestamp() >= _retryAtTicks)
        {
            _reading ??= ReadAsync(_position);
            if (!_reading.IsCompleted)
            {
                await Task.WhenAny(_reading, queue.WakeSignal).WaitAsync(cancellationToken);
            }
        }

        if (_reading is { IsCompleted: true } done)
        {
            _reading = null;
            if (done.IsCompletedSuccessfully)
            {
                Accept(done.Result, output);
            }
            else if (!queue.ShutdownToken.IsCancellationRequested)
            {
                // No answer (a leader that died mid-call) or a failed call: read again shortly.
                StreamsLog.QueueReadFailed(queue.Logger, queue.TopicPartition, _position, ErrorCode.RequestTimedOut, done.Exception?.GetBaseException().Message ?? "no answer in time");
                _retryAtTicks = queue.Time.GetTimestamp() + (long)(RetryDelay.TotalSeconds * queue.Time.TimestampFrequency);
            }
        }

        queue.DrainWakeRequests(output);
        queue.LastHanded = output;
        queue.LastHandedEnd = _position;
        return output;
    }

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => Task.CompletedTask;

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken) => Task.CompletedTask;

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    public async Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            if (_position >= 0)
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bounded.CancelAfter(timeout);
                await _checkpointer.CommitAsync(queue.Cache.CheckpointFloor(), bounded.Token);
            }
        }
        catch (Exception ex)
        {
            StreamsLog.CheckpointFailed(queue.Logger, queue.TopicPartition, queue.Cache.CheckpointFloor(), ex);
        }
        finally
        {
            queue.Shutdown();
        }
    }

    private async Task<bool> TryPositionAsync(CancellationToken cancellationToken)
    {
        if (_position >= 0)
        {
            return true;
        }

        if (queue.Time.GetTimestamp() < _retryAtTicks)
        {
            return false;
        }

        CancellationToken outer = cancellationToken;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(queue.Options.RequestTimeout * 3);
        cancellationToken = bounded.Token;
        try
        {
            await queue.Provisioner.EnsureAsync(queue.Partition.Namespace, cancellationToken);
            var committed = await queue.Coordinator.FetchOffsetsAsync([queue.TopicPartition], cancellationToken);
            long start = committed.Count > 0 ? committed[0].Offset : -1;
            bool fromCheckpoint = start >= 0;
            if (!fromCheckpoint)
            {
                long spec = queue.Options.StartWithoutCheckpoint == QueueStartPosition.Earliest ? OffsetSpec.Earliest : OffsetSpec.Latest;
                ListOffsetsResult listed = await queue.PartitionGrain.ListOffsetsAsync(spec, cancellationToken);
                if (listed.Error != ErrorCode.None)
                {
                    throw new OrleansLog.Client.OrleansLogException(listed.Error, $"Listing offsets of {queue.TopicPartition}: {listed.Message}");
                }

                start = listed.Offset;
                await _checkpointer.CommitAsync(start, cancellationToken);
            }

            queue.CommittedOffset = start;
            queue.Cache.Position(start);
            _position = start;
            StreamsLog.QueueStarted(queue.Logger, queue.ProviderName, queue.TopicPartition, start, fromCheckpoint);
            return true;
        }
        catch (OperationCanceledException) when (outer.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (!_loggedWaiting)
            {
                _loggedWaiting = true;
                StreamsLog.QueueNotReady(queue.Logger, queue.ProviderName, queue.TopicPartition, ex);
            }

            _retryAtTicks = queue.Time.GetTimestamp() + (long)(RetryDelay.TotalSeconds * queue.Time.TimestampFrequency);
            return false;
        }
    }

    private async Task<FetchResult> ReadAsync(long offset)
    {
        using CancellationTokenSource timeout = queue.CallTimeout(queue.Options.ReceiverMaxWait);
        return await queue.PartitionGrain.FetchAsync(
            new FetchRequest(offset, queue.Options.FetchMaxBytes, MinBytes: 1, MaxWaitMs: (int)queue.Options.ReceiverMaxWait.TotalMilliseconds),
            timeout.Token);
    }

    private void Accept(FetchResult result, List<IBatchContainer> output)
    {
        try
        {
            if (result.Error == ErrorCode.OffsetOutOfRange)
            {
                // The checkpoint is gone (retention) or ahead of a truncated log: restart at the nearest
                // retained offset, as a Kafka consumer with auto.offset.reset does, and say so.
                long restart = _position < result.LogStartOffset ? result.LogStartOffset : Math.Max(result.LogStartOffset, result.HighWatermark);
                StreamsLog.QueueOffsetOutOfRange(queue.Logger, queue.TopicPartition, _position, result.LogStartOffset, result.HighWatermark, restart);
                _position = Math.Max(0, restart);
                queue.Cache.Position(_position);
                return;
            }

            if (result.Error != ErrorCode.None)
            {
                StreamsLog.QueueReadFailed(queue.Logger, queue.TopicPartition, _position, result.Error, result.Message);
                _retryAtTicks = queue.Time.GetTimestamp() + (long)(RetryDelay.TotalSeconds * queue.Time.TimestampFrequency);
                return;
            }

            int length = result.Records.Length;
            _flowing = length > 0;
            long next = _position;
            if (length > 0)
            {
                byte[] bytes = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    result.Records.CopyTo(bytes.AsSpan(0, length));
                    using var reader = new RecordBatchReader();
                    _parsed.Clear();
                    next = StreamRecordFormat.ReadContainers(
                        bytes.AsMemory(0, length), queue.NamespaceUtf8, _position, default, filterByKey: false, queue.Serializer, reader, _parsed);

                    // Handed out only once the whole read parsed: a corrupt batch part-way must not deliver
                    // the containers before it twice (once now, again when the read is retried).
                    output.AddRange(_parsed);
                }
                finally
                {
                    _parsed.Clear();
                    ArrayPool<byte>.Shared.Return(bytes);
                }
            }

            _position = Math.Max(next, Math.Max(_position, result.NextOffset));
        }
        catch (InvalidRecordBatchException ex)
        {
            // A corrupt batch halts this queue where it is, loudly, rather than skipping events.
            StreamsLog.QueueCorrupt(queue.Logger, queue.TopicPartition, _position, ex);
            _retryAtTicks = queue.Time.GetTimestamp() + (long)(RetryDelay.TotalSeconds * queue.Time.TimestampFrequency);
        }
        finally
        {
            result.Records.Dispose();
        }
    }
}
