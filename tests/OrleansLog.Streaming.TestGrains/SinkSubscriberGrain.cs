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
public sealed class SinkSubscriberGrain : Grain, ISinkSubscriberGrain, IStreamSubscriptionObserver, IAsyncObserver<TestEvent>
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

        // Each attempt is bounded (a call to a killed leader would wait 30 s); Orleans retries the delivery
        // itself if this gives up, so the event is never lost, at worst copied twice.
        for (int attempt = 1; ; attempt++)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            string failure;
            try
            {
                AppendResult result = await sink.AppendAsync(new RecordBatchPayload((byte[])batch.Clone()), Acks.All, timeout.Token);
                if (result.IsSuccess)
                {
                    return;
                }

                failure = $"{result.Error} {result.Message}";
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or SiloUnavailableException or OrleansMessageRejectionException)
            {
                failure = ex.Message;
            }


            if (attempt == 20)
            {
                throw new InvalidOperationException($"sink append of {this.GetPrimaryKeyString()}:{item.Sequence} failed: {failure}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * Math.Min(attempt, 5)));
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
