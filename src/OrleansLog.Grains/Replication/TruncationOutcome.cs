namespace OrleansLog.Grains.Replication;

/// <summary>What <see cref="FollowerTruncation"/> concluded from one OffsetForLeaderEpoch answer.</summary>
public enum TruncationOutcome
{
    /// <summary>Truncate to the offset; the logs agree below it and the follower may fetch from there.</summary>
    Complete,

    /// <summary>
    /// Truncate to the offset, then ask again with the follower's new latest epoch (KIP-279: the leader
    /// answered with an epoch the follower does not have).
    /// </summary>
    Continue,

    /// <summary>
    /// The answer proves nothing (the leader knows no epoch at or below the one asked, or broke the
    /// protocol). Truncate nothing and fetch nothing: refresh the leader and epoch and ask again. Kafka
    /// falls back to the high watermark here; that fallback is what KIP-101 removed elsewhere, so we refuse it.
    /// </summary>
    Unresolved,
}
