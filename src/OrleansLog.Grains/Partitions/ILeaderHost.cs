using OrleansLog.Grains.Replication;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// What a leading <see cref="Partition"/> needs from whoever made it leader (the partition grain): the
/// replication record lives in grain storage, so ISR changes are persisted there, and resigning means
/// giving up the activation. Called within the caller's turn, synchronously; implementations start their
/// work and return.
/// </summary>
internal interface ILeaderHost
{
    /// <summary>Persist <paramref name="proposal"/> with the record's ETag, then <see cref="Partition.CommitIsr"/> or <see cref="Partition.AbortIsr"/>.</summary>
    void PersistIsr(IsrProposal proposal);

    /// <summary>A follower knows a newer leader epoch than this leader's: this leader was deposed and must step down.</summary>
    void StepDown(string reason);
}
