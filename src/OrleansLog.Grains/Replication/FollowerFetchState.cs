namespace OrleansLog.Grains.Replication;

/// <summary>
/// What the leader knows of one follower (Kafka <c>ReplicaState</c>): its log end offset, taken from the
/// offset of its last fetch, and the last time it was caught up to the leader's log end.
/// </summary>
/// <param name="NodeId">The follower's node id.</param>
/// <param name="LogEndOffset">The follower's log end offset as of its last fetch; -1 before the first fetch.</param>
/// <param name="LastCaughtUpTime">The last time the follower had everything the leader had at some earlier fetch (Kafka <c>lastCaughtUpTimeMs</c>).</param>
/// <param name="LastFetchTime">When the last fetch arrived.</param>
/// <param name="LastFetchLeaderLogEndOffset">The leader's log end offset when the last fetch arrived.</param>
public readonly record struct FollowerFetchState(
    string NodeId,
    long LogEndOffset,
    DateTimeOffset LastCaughtUpTime,
    DateTimeOffset LastFetchTime,
    long LastFetchLeaderLogEndOffset);
