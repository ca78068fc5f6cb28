using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Simulation.Replication;

/// <summary>
/// One node of the simulated cluster, as the partition sees it: its disk, its commit scheduler, its copy of
/// the partition, the node's follower bookkeeping (fence and followed partition, as the node's replica
/// fetcher manager keeps them, in memory) and the partition grain's fields when it leads here (the record
/// and ETag it last read or wrote).
/// </summary>
internal sealed class SimulatedNode(string id)
{
    public string Id { get; } = id;

    public SimulatedFileSystem Disk { get; } = new();

    public CommitScheduler? Scheduler { get; set; }

    public Partition? Copy { get; set; }

    public bool Up { get; set; }

    /// <summary>Bumped at every restart: calls to and answers for an earlier process are lost.</summary>
    public int Incarnation { get; set; }

    public EpochFence Fence { get; set; } = new();

    public FollowedPartition? Followed { get; set; }

    /// <summary>The follower's fetch call in flight (its id), or 0.</summary>
    public long FetchCall { get; set; }

    /// <summary>The fetch call whose answer is being applied (a call gets one answer, as an Orleans call does).</summary>
    public long FetchAnswered { get; set; }

    /// <summary>The follower's truncation (its OffsetForLeaderEpoch rounds) in flight.</summary>
    public bool Truncating { get; set; }

    /// <summary>The grain's replicationState.State and its ETag, as last read or written here.</summary>
    public PartitionReplicationState? State { get; set; }

    public long Etag { get; set; } = -1;

    /// <summary>The record this node leads under (the grain's <c>_stored</c>); null unless leading.</summary>
    public PartitionReplicationState? Stored { get; set; }

    /// <summary>Declared dead by the membership while still running: it stops itself at this step.</summary>
    public int? StopsAtStep { get; set; }

    public bool Leading => Up && Stored is not null && Copy is { Role: PartitionRole.Leader };

    public override string ToString() => Id;
}
