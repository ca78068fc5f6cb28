using OrleansLog.Grains.Hosting;

namespace OrleansLog.Grains.Partitions;

/// <summary>The node-wide settings a <see cref="Partition"/> works with, taken from <see cref="OrleansLogOptions"/>.</summary>
/// <param name="ReplicaLagTime">replica.lag.time.max.ms; also the longest an acknowledgement is waited for.</param>
/// <param name="MaxFetchBytes">The most bytes one consumer fetch returns.</param>
/// <param name="MaxFetchWait">The longest a consumer fetch waits for data.</param>
/// <param name="MaxPendingReplicatedAppends">The most acks=all appends one leader keeps waiting at once.</param>
internal sealed record PartitionSettings(
    TimeSpan ReplicaLagTime,
    int MaxFetchBytes,
    TimeSpan MaxFetchWait,
    int MaxPendingReplicatedAppends = 1 << 20)
{
    public static PartitionSettings From(OrleansLogOptions options) =>
        new(options.ReplicaLagTime, options.MaxFetchBytes, options.MaxFetchWait);
}
