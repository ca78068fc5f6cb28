namespace OrleansLog.Grains.Replication;

/// <summary>
/// The replication facts of one partition that must be persisted before they take effect (Kafka
/// <c>LeaderAndIsr</c>): who leads in which epoch, the replica set, the in-sync set, and the version of this
/// record. Grain wiring stores it in grain state and writes it with an ETag, so of two leaders racing to
/// change the ISR in one epoch only the first write wins.
/// </summary>
/// <param name="Leader">Node id of the leader; always a member of <paramref name="Replicas"/>.</param>
/// <param name="LeaderEpoch">Bumped on every leader change; stamped on every batch the leader appends.</param>
/// <param name="Replicas">Every node that holds a replica, the leader included.</param>
/// <param name="Isr">The in-sync replicas, the leader included.</param>
/// <param name="PartitionEpoch">Version of this record (Kafka's partition epoch); bumped by every committed change.</param>
public sealed record LeaderAndIsr(
    string Leader,
    int LeaderEpoch,
    IReadOnlyList<string> Replicas,
    IReadOnlyList<string> Isr,
    long PartitionEpoch);
