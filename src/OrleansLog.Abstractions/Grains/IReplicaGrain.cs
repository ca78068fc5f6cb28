namespace OrleansLog.Grains;

/// <summary>
/// A follower copy of one partition on one node, key <c>"{topic}/{partition}@{node}"</c>
/// (<see cref="KeyOf"/>), always activated on that node. It fetches from the partition's leader
/// (<see cref="IPartitionGrain"/>) into its local log. Every call names the caller's leader epoch; calls
/// from an epoch older than the newest the replica has seen are ignored, so a deposed leader cannot
/// start, stop or delete it.
/// </summary>
[Alias("olog.IReplicaGrain")]
public interface IReplicaGrain : IGrainWithStringKey
{
    /// <summary>The grain key of <paramref name="partition"/>'s replica on <paramref name="nodeId"/>.</summary>
    public static string KeyOf(TopicPartition partition, string nodeId) => $"{partition.ToGrainKey()}@{nodeId}";

    /// <summary>Starts (or keeps) fetching from the leader of <paramref name="leaderEpoch"/>.</summary>
    [Alias("follow")]
    Task FollowAsync(int leaderEpoch, string leaderNodeId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops fetching because this node becomes leader in <paramref name="leaderEpoch"/>; after it returns the
    /// replica never touches the log again until told to follow a newer epoch. Returns its last state.
    /// </summary>
    [Alias("stop")]
    Task<ReplicaStatus> StopAsync(int leaderEpoch, CancellationToken cancellationToken = default);

    /// <summary>
    /// This node's election for <paramref name="leaderEpoch"/> (announced by <see cref="StopAsync"/>) failed:
    /// the replica forgets that epoch again, so the real leader's <see cref="FollowAsync"/> is not refused.
    /// </summary>
    [Alias("withdraw")]
    Task WithdrawAsync(int leaderEpoch, CancellationToken cancellationToken = default);

    /// <summary>The node left the partition's replica set (reassignment): stop and remove the local files.</summary>
    [Alias("delete")]
    Task DeleteAsync(int leaderEpoch, CancellationToken cancellationToken = default);

    [Alias("status"), Orleans.Concurrency.AlwaysInterleave]
    Task<ReplicaStatus> GetStatusAsync(CancellationToken cancellationToken = default);
}
