namespace OrleansLog.Grains.Replication;

/// <summary>
/// The leader's answer to OffsetForLeaderEpoch (Kafka API key 23): the end offset of the requested epoch
/// as the leader's log knows it, and the epoch that end offset belongs to (the largest epoch the leader has
/// at or below the requested one). Computed by <c>LeaderEpochCache.EndOffsetFor</c> on the leader;
/// (-1, -1) means the leader knows no such epoch.
/// </summary>
public readonly record struct EpochEndOffset(int LeaderEpoch, long EndOffset)
{
    /// <summary>Kafka's (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET).</summary>
    public static EpochEndOffset Undefined => new(Storage.LeaderEpochCache.UndefinedEpoch, Storage.LeaderEpochCache.UndefinedEpochOffset);

    public bool IsUndefined => LeaderEpoch == Storage.LeaderEpochCache.UndefinedEpoch || EndOffset == Storage.LeaderEpochCache.UndefinedEpochOffset;
}
