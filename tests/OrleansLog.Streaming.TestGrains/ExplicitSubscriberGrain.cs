using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansLog.Streaming.TestGrains;

/// <summary>Subscribes on request, to the stream named like its key, from a token or a start position.</summary>
public sealed class ExplicitSubscriberGrain : SubscriberGrainBase, IExplicitSubscriberGrain
{
    public async Task SubscribeAsync(string provider, string streamNamespace, long? fromOffset, bool earliest)
    {
        IAsyncStream<TestEvent> stream = this.GetStreamProvider(provider).GetStream<TestEvent>(StreamId.Create(streamNamespace, this.GetPrimaryKeyString()));
        if (fromOffset is { } offset)
        {
            await stream.SubscribeAsync(this, new EventSequenceTokenV2(offset));
        }
        else if (earliest)
        {
            await stream.SubscribeAsync(this, StreamSubscriptionStartPosition.EarliestAvailable);
        }
        else
        {
            await stream.SubscribeAsync(this);
        }
    }
}
