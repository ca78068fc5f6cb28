using System.Diagnostics;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace OrleansLog.Streaming.TestGrains;

/// <summary>Implicitly subscribed to namespace "bench" (any provider); explicitly to "replay" on request.</summary>
[ImplicitStreamSubscription(Namespaces.Bench)]
public sealed class BenchSubscriberGrain : Grain, IBenchSubscriberGrain, IStreamSubscriptionObserver, IAsyncObserver<TestEvent>
{
    private readonly List<long> _latencies = [];
    private long _count;

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<TestEvent>().ResumeAsync(this);

    public async Task SubscribeAsync(string provider, string streamNamespace, long fromOffset) =>
        await this.GetStreamProvider(provider).GetStream<TestEvent>(StreamId.Create(streamNamespace, this.GetPrimaryKeyString()))
            .SubscribeAsync(this, new EventSequenceTokenV2(fromOffset));

    public Task<long> CountAsync() => Task.FromResult(_count);

    public Task<long[]> GetLatenciesAsync() => Task.FromResult(_latencies.ToArray());

    public Task OnNextAsync(TestEvent item, StreamSequenceToken? token = null)
    {
        _count++;
        if (item.SentTicks != 0)
        {
            _latencies.Add((long)Stopwatch.GetElapsedTime(item.SentTicks).TotalMicroseconds);
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
