namespace OrleansLog.Grains.Partitions;

/// <summary>
/// The partition grain's own notifications (same key as <see cref="IPartitionGrain"/>): its
/// <see cref="Partition"/>, serving follower fetches on the node's replica manager, changed something only
/// the grain may act on — an ISR change to persist, or a newer leader epoch that deposed it.
/// </summary>
[Alias("olog.IPartitionLeaderGrain")]
internal interface IPartitionLeaderGrain : IGrainWithStringKey
{
    [Alias("replication-changed"), Orleans.Concurrency.OneWay]
    Task ReplicationChangedAsync();
}
