namespace OrleansLog.Grains.Replication;

/// <summary>
/// An ISR change the leader wants (Kafka <c>AlterPartition</c>). It has no effect until the caller has
/// persisted it (compare-and-swap on <paramref name="BasePartitionEpoch"/>, e.g. a grain-state ETag) and
/// called <see cref="LeaderReplicationState.CommitIsr"/>; until then the leader keeps acting on the
/// committed ISR and proposes nothing else.
/// </summary>
/// <param name="LeaderEpoch">The epoch of the leader proposing; a stored record with a newer epoch wins.</param>
/// <param name="BasePartitionEpoch">The partition epoch the proposal was computed from; the write must fail if the stored one differs.</param>
/// <param name="Isr">The proposed in-sync set, leader first, then the other members in replica order.</param>
public sealed record IsrProposal(int LeaderEpoch, long BasePartitionEpoch, IReadOnlyList<string> Isr);
