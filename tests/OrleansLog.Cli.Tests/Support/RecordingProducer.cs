using OrleansLog.Client;

namespace OrleansLog.Cli.Tests.Support;

/// <summary>
/// An <see cref="IProducer"/> that records messages and acknowledges them only on <see cref="FlushAsync"/>,
/// in reverse order and on alternating partitions, so ordering bugs in callers show. A value of "fail"
/// fails that record with <see cref="ErrorCode.MessageTooLarge"/>.
/// </summary>
internal sealed class RecordingProducer : IProducer
{
    private readonly List<(Message Message, TaskCompletionSource<RecordMetadata> Ack)> _pending = [];

    public List<Message> Produced { get; } = [];

    public Task<RecordMetadata> ProduceAsync(string topic, Message message, CancellationToken cancellationToken = default)
    {
        var ack = new TaskCompletionSource<RecordMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        Produced.Add(message);
        _pending.Add((message, ack));
        return ack.Task;
    }

    public ValueTask ProduceAsync(string topic, Message message, DeliveryHandler deliveryHandler, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("LineProducer uses the task-returning overload.");

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        for (int i = _pending.Count - 1; i >= 0; i--)
        {
            (Message message, TaskCompletionSource<RecordMetadata> ack) = _pending[i];
            int index = Produced.Count - _pending.Count + i;
            if (message.Value is { } value && System.Text.Encoding.UTF8.GetString(value) == "fail")
            {
                ack.SetException(new OrleansLogException(ErrorCode.MessageTooLarge, $"record {index} is too large"));
            }
            else
            {
                ack.SetResult(new RecordMetadata("t", message.Partition ?? index % 2, 100 + index, DateTimeOffset.UnixEpoch));
            }
        }

        _pending.Clear();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
