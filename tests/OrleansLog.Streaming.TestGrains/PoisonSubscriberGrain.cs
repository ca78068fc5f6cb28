using Orleans.Streams;
using Orleans.Streams.Core;

namespace OrleansLog.Streaming.TestGrains;

/// <summary>Implicitly subscribed to namespace "poison": throws on every event whose payload is "poison".</summary>
[ImplicitStreamSubscription(Namespaces.Poison)]
public sealed class PoisonSubscriberGrain : SubscriberGrainBase, IStreamSubscriptionObserver
{
    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory)
    {
        StreamSubscriptionHandle<TestEvent> handle = handleFactory.Create<TestEvent>();
        await handle.ResumeAsync(this);
    }

    public override Task OnNextAsync(TestEvent item, StreamSequenceToken? token = null) =>
        item.Payload == "poison"
            ? throw new InvalidOperationException($"poison event {item.Sequence}")
            : base.OnNextAsync(item, token);
}
