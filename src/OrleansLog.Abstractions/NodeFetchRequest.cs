namespace OrleansLog;

/// <summary>
/// A follower node's fetch from one leader node, for every partition it follows there (Kafka's replica
/// fetcher: one request per source broker), in a fetch session (KIP-227): a full request
/// (<see cref="SessionId"/> 0) names every partition and opens a session; an incremental one names only
/// the partitions whose fetch offset or epoch changed since the session's last request, and those it no
/// longer fetches in <see cref="Forgotten"/>. The leader keeps the rest from the session.
/// </summary>
/// <param name="FollowerNodeId">The node fetching.</param>
/// <param name="MaxWaitMs">How long the leader may wait for new records in any of the partitions.</param>
/// <param name="MaxBytes">The most bytes in the whole answer.</param>
/// <param name="Partitions">The partitions added or changed (all of them in a full request), each with its fetch offset.</param>
/// <param name="SessionId">The session this request continues; 0 for a full request that opens a new one.</param>
/// <param name="SessionEpoch">The request's number in its session, counted from 1 after the full request (0).</param>
/// <param name="Forgotten">Partitions the session no longer fetches.</param>
[GenerateSerializer, Immutable, Alias("olog.NodeFetchRequest")]
public sealed record NodeFetchRequest(
    [property: Id(0)] string FollowerNodeId,
    [property: Id(1)] int MaxWaitMs,
    [property: Id(2)] int MaxBytes,
    [property: Id(3)] IReadOnlyList<PartitionFetch> Partitions,
    [property: Id(4)] long SessionId = 0,
    [property: Id(5)] int SessionEpoch = 0,
    [property: Id(6)] IReadOnlyList<TopicPartition>? Forgotten = null);
