using OrleansLog.Grains;

namespace OrleansLog.Client.Tests;

/// <summary>A cluster grain fake: a rebalance returns the scripted <see cref="NextRebalanceResult"/> and counts the call.</summary>
internal sealed class FakeClusterGrain : IClusterGrain
{
    private int _rebalanceCalls;

    /// <summary>Answer of every rebalance; balanced (no moves) unless a test sets one.</summary>
    public RebalanceResult NextRebalanceResult { get; set; } = new(ErrorCode.None, null, []);

    public int RebalanceCalls => Volatile.Read(ref _rebalanceCalls);

    public Task<ClusterDescription> DescribeAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new ClusterDescription("fake", 0, []));

    public Task<RebalanceResult> RebalanceAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _rebalanceCalls);
        return Task.FromResult(NextRebalanceResult);
    }
}
