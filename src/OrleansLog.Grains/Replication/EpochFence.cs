namespace OrleansLog.Grains.Replication;

/// <summary>
/// Leader-epoch fencing for one replica (Kafka KIP-320 <c>FENCED_LEADER_EPOCH</c> /
/// <c>UNKNOWN_LEADER_EPOCH</c>): remembers the newest leader epoch this replica has seen and refuses
/// traffic from older ones, so a deposed leader that has not noticed yet cannot append to or truncate a
/// replica that already follows its successor.
/// <para><b>Thread-safety:</b> not thread-safe; the owning grain's turn is the lock. The newest epoch must be
/// restored from persisted state on activation, or a restarted replica would forget what it had seen.</para>
/// </summary>
public sealed class EpochFence
{
    /// <param name="latestEpoch">The newest leader epoch known from persisted state; -1 when none.</param>
    public EpochFence(int latestEpoch = Storage.LeaderEpochCache.UndefinedEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latestEpoch, Storage.LeaderEpochCache.UndefinedEpoch);
        LatestEpoch = latestEpoch;
    }

    private int? _beforeTentative;

    /// <summary>The newest leader epoch this replica has accepted.</summary>
    public int LatestEpoch { get; private set; }

    /// <summary>
    /// Checks a request that names the leader epoch its sender believes current (a fetch, a produce, an
    /// OffsetForLeaderEpoch), as Kafka does: older than known → <see cref="ErrorCode.FencedLeaderEpoch"/>
    /// (the sender is stale and must refresh); newer → <see cref="ErrorCode.UnknownLeaderEpoch"/> (this
    /// replica has not learned of it yet; retriable); equal → <see cref="ErrorCode.None"/>. -1 skips the
    /// check, as Kafka does for clients that send no epoch.
    /// </summary>
    public ErrorCode Check(int requestEpoch)
    {
        if (requestEpoch == Storage.LeaderEpochCache.UndefinedEpoch)
        {
            return ErrorCode.None;
        }

        return requestEpoch < LatestEpoch ? ErrorCode.FencedLeaderEpoch
            : requestEpoch > LatestEpoch ? ErrorCode.UnknownLeaderEpoch
            : ErrorCode.None;
    }

    /// <summary>
    /// Accepts traffic from a leader of <paramref name="leaderEpoch"/> (a replicated append, a leadership
    /// notice read from persisted state): refused with <see cref="ErrorCode.FencedLeaderEpoch"/> when older
    /// than the newest seen; otherwise <see cref="ErrorCode.None"/> and a newer epoch becomes the newest.
    /// The caller persists a raised <see cref="LatestEpoch"/> before acting on the traffic.
    /// </summary>
    public ErrorCode Accept(int leaderEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(leaderEpoch);
        if (leaderEpoch < LatestEpoch)
        {
            return ErrorCode.FencedLeaderEpoch;
        }

        // A leader of this epoch exists after all: a tentative raise to it is no longer withdrawn.
        _beforeTentative = null;
        LatestEpoch = leaderEpoch;
        return ErrorCode.None;
    }

    /// <summary>
    /// Raises the fence for an epoch this node is about to take itself (the local copy stops following before
    /// the election's write), remembering where it was: if the write fails, <see cref="Withdraw"/> puts it back,
    /// so the epoch that was never taken does not refuse the real leader's traffic.
    /// </summary>
    public ErrorCode AcceptTentatively(int leaderEpoch)
    {
        int before = LatestEpoch;
        int? beforeTentative = _beforeTentative;
        ErrorCode accepted = Accept(leaderEpoch);
        if (accepted == ErrorCode.None && leaderEpoch > before)
        {
            _beforeTentative = beforeTentative ?? before;
        }

        return accepted;
    }

    /// <summary>
    /// The election for <paramref name="leaderEpoch"/> raised by <see cref="AcceptTentatively"/> failed: the
    /// fence goes back to where it was, unless traffic of that epoch or a newer one was accepted meanwhile.
    /// </summary>
    public void Withdraw(int leaderEpoch)
    {
        if (_beforeTentative is { } before && LatestEpoch == leaderEpoch)
        {
            LatestEpoch = before;
        }

        _beforeTentative = null;
    }
}
