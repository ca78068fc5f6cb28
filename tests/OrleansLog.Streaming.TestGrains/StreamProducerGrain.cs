using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansLog.Streaming.TestGrains;

public sealed class StreamProducerGrain : Grain, IStreamProducerGrain
{
    public async Task ProduceAsync(string provider, string streamNamespace, string streamKey, long first, int count)
    {
        IAsyncStream<TestEvent> stream = this.GetStreamProvider(provider).GetStream<TestEvent>(StreamId.Create(streamNamespace, streamKey));
        for (long i = first; i < first + count; i++)
        {
            var item = new TestEvent(i, SentTicks: System.Diagnostics.Stopwatch.GetTimestamp());
            while (true)
            {
                try
                {
                    await stream.OnNextAsync(item);
                    break;
                }
                catch (InvalidOperationException ex) when (ex.Message.Contains("Can not enqueue", StringComparison.Ordinal))
                {
                    // Orleans' memory provider (benchmarked against ours) refuses when a queue holds 16,384 events.
                    await Task.Delay(1);
                }
            }
        }
    }
}
