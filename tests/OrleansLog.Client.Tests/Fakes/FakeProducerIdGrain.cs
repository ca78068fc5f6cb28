using OrleansLog.Grains;

namespace OrleansLog.Client.Tests;

/// <summary>Hands out producer ids 1000, 1001, ... with epoch 0.</summary>
internal sealed class FakeProducerIdGrain : IProducerIdGrain
{
    private long _next = 1000;

    public int Calls => (int)(Interlocked.Read(ref _next) - 1000);

    public Task<ProducerIdAndEpoch> InitProducerIdAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new ProducerIdAndEpoch(Interlocked.Increment(ref _next) - 1, 0));
}
