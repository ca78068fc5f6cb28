namespace OrleansLog.Grains.Partitions;

/// <summary>What this node's copy of a partition does now.</summary>
internal enum PartitionRole
{
    /// <summary>Open, but neither leading nor following (just opened, or a leader that resigned).</summary>
    None,

    /// <summary>Takes appends and serves consumers and followers, in one leader epoch.</summary>
    Leader,

    /// <summary>Copies the leader's log (driven by this node's replica).</summary>
    Follower,
}
