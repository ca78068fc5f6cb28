using OrleansLog.Client;
using OrleansLog.Records;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// The producing side of one partition. One append is in flight at a time; the writes that callers queue
/// meanwhile go out together in the next record batch (up to the topic's <c>max.message.bytes</c>), as a
/// Kafka producer batches with linger 0: a lone event is sent at once, a crowd of them in few appends, and a
/// partition's writes are stored in the order they were queued. Each caller learns the outcome of its own
/// write; a batch refused as too large is retried write by write, so one oversized event fails alone.
/// </summary>
/// <remarks>Thread-safe: clients and grains call it concurrently. Appends run on the thread pool, outside any grain.</remarks>
internal sealed class PartitionWriter(TopicPartition partition, PartitionAppender appender, int maxBatchBytes)
{
    private readonly object _lock = new();
    private readonly Queue<(StreamWrite Write, TaskCompletionSource Done)> _queue = new();
    private bool _sending;

    /// <summary>Queues <paramref name="write"/>; completes once the partition stored it, or throws why not.</summary>
    public Task WriteAsync(StreamWrite write)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_lock)
        {
            _queue.Enqueue((write, done));
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            _ = Task.Run(SendLoopAsync);
        }

        return done.Task;
    }

    private async Task SendLoopAsync()
    {
        var batch = new List<(StreamWrite Write, TaskCompletionSource Done)>();
        while (true)
        {
            batch.Clear();
            lock (_lock)
            {
                int bytes = 0;
                while (_queue.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Write.EstimatedBytes <= maxBatchBytes))
                {
                    bytes += next.Write.EstimatedBytes;
                    batch.Add(_queue.Dequeue());
                }

                if (batch.Count == 0)
                {
                    _sending = false;
                    return;
                }
            }

            await SendAsync(batch);
        }
    }

    private async Task SendAsync(List<(StreamWrite Write, TaskCompletionSource Done)> batch)
    {
        try
        {
            await AppendAsync(batch.Select(b => b.Write), batch.Count == 1 ? batch[0].Write.Describe() : $"{batch.Count} writes");
            foreach (var (_, done) in batch)
            {
                done.TrySetResult();
            }
        }
        catch (OrleansLogException ex) when (batch.Count > 1 && ex.Error is ErrorCode.MessageTooLarge or ErrorCode.RecordListTooLarge or ErrorCode.InvalidRecord or ErrorCode.CorruptMessage)
        {
            // One of them is to blame: each write gets its own verdict.
            foreach (var (write, done) in batch)
            {
                try
                {
                    await AppendAsync([write], write.Describe());
                    done.TrySetResult();
                }
                catch (Exception single)
                {
                    done.TrySetException(single);
                }
            }
        }
        catch (Exception ex)
        {
            foreach (var (_, done) in batch)
            {
                done.TrySetException(ex);
            }
        }
    }

    private Task AppendAsync(IEnumerable<StreamWrite> writes, string what)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, int.MaxValue / 2);
        foreach (StreamWrite write in writes)
        {
            StreamRecordFormat.Append(builder, write);
        }

        return appender.AppendAsync(partition, builder.SealToArray(), what, CancellationToken.None);
    }
}
