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
            await stream.OnNextAsync(new TestEvent(i, SentTicks: System.Diagnostics.Stopwatch.GetTimestamp()));
        }
    }
}
