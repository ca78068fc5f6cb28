namespace OrleansLog.Grains.Replication;

/// <summary>
/// Whether a follower may fetch: only after a truncation that ran to completion while following the leader
/// epoch it follows now (Kafka's fetcher keeps a partition in its truncating state until then). A newer
/// epoch learnt anywhere — a fenced fetch, a fenced OffsetForLeaderEpoch answer in the middle of a
/// truncation, a new FollowAsync — closes the gate by itself, because the epoch no longer matches: a
/// follower holding an old leader's unreplicated suffix can never append the new leader's batches on top of
/// it, where its newest epoch would hide the divergence for good. Not thread-safe; the grain turn is the lock.
/// </summary>
public sealed class TruncationGate
{
    private int? _truncatedForEpoch;

    /// <summary>True when the last completed truncation ran under <paramref name="followedEpoch"/>.</summary>
    public bool MayFetch(int followedEpoch) => _truncatedForEpoch == followedEpoch;

    /// <summary>A truncation that started while following <paramref name="followedEpoch"/> completed.</summary>
    public void Completed(int followedEpoch) => _truncatedForEpoch = followedEpoch;

    /// <summary>Following starts or restarts: the next fetch waits for a truncation.</summary>
    public void Close() => _truncatedForEpoch = null;
}
