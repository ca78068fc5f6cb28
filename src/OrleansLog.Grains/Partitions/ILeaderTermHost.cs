namespace OrleansLog.Grains.Partitions;

/// <summary>
/// What a <see cref="LeaderTerm"/> asks of the partition grain that took office: the things only a grain
/// can do (call other grains, give up its activation) and the node's log manager.
/// </summary>
internal interface ILeaderTermHost
{
    /// <summary>The term ended (deposed, handed over, moved, or its log failed): stop timers and deactivate.</summary>
    void SteppedDown(int leaderEpoch, string reason);

    /// <summary>The partition changed something on another thread: call <see cref="LeaderTerm.ReplicationChangedAsync"/> in the grain's own turn.</summary>
    void NotifyReplicationChanged();

    /// <summary>Tells the replica on <paramref name="replica"/> to follow this leader; an unreachable node is tolerated.</summary>
    Task StartFollowerAsync(string replica, int leaderEpoch);

    /// <summary>Deletes the copy on <paramref name="replica"/>, which left the replica set in <paramref name="leaderEpoch"/>.</summary>
    Task DeleteReplicaAsync(string replica, int leaderEpoch);

    /// <summary>The leading copy's log failed: report it and close it on this node.</summary>
    void ReportStorageFailure(Partition partition, string reason);
}
