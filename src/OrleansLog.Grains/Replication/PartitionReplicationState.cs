namespace OrleansLog.Grains.Replication;

/// <summary>
/// The persisted replication record of one partition (grain state <c>"replication"</c> of the partition
/// grain, PostgreSQL in cluster mode): the <see cref="LeaderAndIsr"/> fields plus a reassignment target.
/// Every change is written with the state's ETag, so of two activations that both believe they lead only
/// the first write wins, and a new leader's epoch is durable before it accepts a single append.
/// Empty (<see cref="IsInitialized"/> false) until the partition's first leader writes it; until then the
/// topic's replica assignment is the replica set and every replica counts as in sync.
/// </summary>
[GenerateSerializer, Alias("olog.PartitionReplicationState")]
public sealed class PartitionReplicationState
{
    /// <summary>The node that leads, or that a resigning leader handed leadership to.</summary>
    [Id(0)] public string? Leader { get; set; }

    /// <summary>The epoch of the last leader that took office; -1 before the first.</summary>
    [Id(1)] public int LeaderEpoch { get; set; } = Storage.LeaderEpochCache.UndefinedEpoch;

    /// <summary>Every node holding a copy, preferred leader first. During a reassignment: old and new replicas.</summary>
    [Id(2)] public string[] Replicas { get; set; } = [];

    /// <summary>The in-sync replicas, the leader first.</summary>
    [Id(3)] public string[] Isr { get; set; } = [];

    /// <summary>Version of the record; bumped by every write.</summary>
    [Id(4)] public long PartitionEpoch { get; set; }

    /// <summary>The replicas a running reassignment moves to, preferred leader first; null when none runs.</summary>
    [Id(5)] public string[]? TargetReplicas { get; set; }

    public bool IsInitialized => Replicas.Length > 0;

    public PartitionReplicationState Copy() => new()
    {
        Leader = Leader,
        LeaderEpoch = LeaderEpoch,
        Replicas = Replicas,
        Isr = Isr,
        PartitionEpoch = PartitionEpoch,
        TargetReplicas = TargetReplicas,
    };

    public LeaderAndIsr ToLeaderAndIsr() => new(Leader ?? string.Empty, LeaderEpoch, Replicas, Isr, PartitionEpoch);

    public override string ToString() =>
        $"leader {Leader ?? "none"} epoch {LeaderEpoch}, replicas [{string.Join(",", Replicas)}], ISR [{string.Join(",", Isr)}], partition epoch {PartitionEpoch}"
        + (TargetReplicas is null ? string.Empty : $", moving to [{string.Join(",", TargetReplicas)}]");
}
