using OrleansLog.Groups;

namespace OrleansLog.Cli.Output;

/// <summary>
/// One partition's progress in <c>groups describe --format json</c>: committed offset (-1 when none),
/// high watermark, lag, and the member that owns it (null when nobody does).
/// </summary>
internal sealed record GroupOffsetJson(string Topic, int Partition, long CommittedOffset, long HighWatermark, long Lag, string? Owner)
{
    public static GroupOffsetJson From(PartitionLag lag) => new(
        lag.Partition.Topic,
        lag.Partition.Partition,
        lag.CommittedOffset,
        lag.HighWatermark,
        lag.Lag,
        lag.Owner);
}
