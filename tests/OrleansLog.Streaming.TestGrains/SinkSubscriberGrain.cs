using System.Globalization;
using System.Text;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Streams.Core;
using OrleansLog.Grains;
using OrleansLog.Records;

namespace OrleansLog.Streaming.TestGrains;

/// <summary>
/// Implicitly subscribed to namespace "kill": copies every event it is handed, in the order handed, into
/// topic <see cref="Namespaces.SinkTopic"/> (key: the stream key, value: the sequence) with acks=all before
/// it returns — so what a kill -9 test reads back from the sink is exactly what subscribers received,
/// duplicates included, whichever silo they ran on.
/// </summary>
[ImplicitStreamSubscription(Namespaces.Kill)]
public sealed class SinkSubscriberGrain : Grain, IStreamSubscriptionObserver, IAsyncObserver<TestEvent>
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<TestEvent>().ResumeAsync(this);

    public async Task OnNextAsync(TestEvent item, StreamSequenceToken? token = null)
    {
        using var builder = new RecordBatchBuilder();
        builder.TryAppend(
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Encoding.UTF8.GetBytes(this.GetPrimaryKeyString()),
            Encoding.UTF8.GetBytes(item.Sequence.ToString(CultureInfo.InvariantCulture)));
        byte[] batch = builder.SealToArray();
        IPartitionGrain sink = GrainFactory.GetGrain<IPartitionGrain>(new TopicPartition(Namespaces.SinkTopic, 0).ToGrainKey());
        AppendResult result = await sink.AppendAsync(new RecordBatchPayload(batch), Acks.All);
        if (!result.IsSuccess)
        {
            // Orleans retries the delivery; the event is not lost, at worst copied twice.
            throw new InvalidOperationException($"sink append of {this.GetPrimaryKeyString()}:{item.Sequence} failed: {result.Error} {result.Message}");
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
