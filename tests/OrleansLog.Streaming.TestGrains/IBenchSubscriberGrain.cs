namespace OrleansLog.Streaming.TestGrains;

/// <summary>A subscriber for benchmarks: counts events and keeps the latency of the timed ones.</summary>
[Alias("olog.tests.IBenchSubscriberGrain")]
public interface IBenchSubscriberGrain : IGrainWithStringKey
{
    [Alias("count")]
    Task<long> CountAsync();

    /// <summary>Microseconds from <see cref="TestEvent.SentTicks"/> to this grain's OnNextAsync, for each timed event.</summary>
    [Alias("latencies")]
    Task<long[]> GetLatenciesAsync();

    /// <summary>Subscribes explicitly to stream (namespace, this key) of <paramref name="provider"/> from <paramref name="fromOffset"/>.</summary>
    [Alias("subscribe")]
    Task SubscribeAsync(string provider, string streamNamespace, long fromOffset);
}
