using Orleans.Streams;
using Orleans.Streams.Core;

namespace OrleansLog.Streaming.TestGrains;

/// <summary>Implicitly subscribed to every stream of namespaces "implicit" and "second" (one activation per stream key).</summary>
[ImplicitStreamSubscription(Namespaces.Implicit)]
[ImplicitStreamSubscription(Namespaces.Second)]
public sealed class ImplicitSubscriberGrain : SubscriberGrainBase, IStreamSubscriptionObserver
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        StreamSubscriptionHandle<TestEvent> handle = handleFactory.Create<TestEvent>();
        await handle.ResumeAsync(this);
    }
}
