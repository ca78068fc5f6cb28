using System.Text;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace OrleansLog.Streaming.TestGrains;

/// <summary>Implicitly subscribed to namespace "raw": records produced by the client library arrive as byte arrays.</summary>
[ImplicitStreamSubscription(Namespaces.Raw)]
public sealed class RawSubscriberGrain : SubscriberGrainBase, IStreamSubscriptionObserver, IAsyncObserver<byte[]>
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        StreamSubscriptionHandle<byte[]> handle = handleFactory.Create<byte[]>();
        await handle.ResumeAsync(this);
    }

    public Task OnNextAsync(byte[] item, StreamSequenceToken? token = null) =>
        OnNextAsync(new TestEvent(-1, Encoding.UTF8.GetString(item)), token);
}
