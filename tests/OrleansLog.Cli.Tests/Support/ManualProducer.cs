using OrleansLog.Client;

namespace OrleansLog.Cli.Tests.Support;

/// <summary>A producer whose records are acknowledged only when the test says so (offset = the record's index).</summary>
internal sealed class ManualProducer : IProducer
{
    private readonly Lock _gate = new();
    private readonly List<TaskCompletionSource<RecordMetadata>> _acks = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];

    public Task<RecordMetadata> ProduceAsync(string topic, Message message, CancellationToken cancellationToken = default)
    {
        var ack = new TaskCompletionSource<RecordMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _acks.Add(ack);
            foreach ((int count, TaskCompletionSource reached) in _waiters)
            {
                if (_acks.Count >= count)
                {
                    reached.TrySetResult();
                }
            }
        }

        return ack.Task;
    }

    public ValueTask ProduceAsync(string topic, Message message, DeliveryHandler deliveryHandler, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("LineProducer uses the task-returning overload.");

    /// <summary>Completes when <paramref name="count"/> records have been produced.</summary>
    public Task WaitForAsync(int count)
    {
        lock (_gate)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_acks.Count >= count)
            {
                reached.SetResult();
            }
            else
            {
                _waiters.Add((count, reached));
            }

            return reached.Task;
        }
    }

    public void Acknowledge(int index)
    {
        lock (_gate)
        {
            _acks[index].SetResult(new RecordMetadata("t", 0, index, DateTimeOffset.UnixEpoch));
        }
    }

    /// <summary>Waits for every record produced so far, as a real flush does.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task[] pending;
        lock (_gate)
        {
            pending = [.. _acks.Select(a => a.Task)];
        }

        return Task.WhenAll(pending).WaitAsync(cancellationToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
