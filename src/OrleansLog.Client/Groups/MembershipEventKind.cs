namespace OrleansLog.Client;

/// <summary>What the group asks of the consumer; see <see cref="MembershipEvent"/>.</summary>
internal enum MembershipEventKind
{
    /// <summary>A rebalance completed: own exactly <see cref="MembershipEvent.Partitions"/> in the event's generation.</summary>
    Assignment,

    /// <summary>Eager protocol: give up every partition (commit, report revoked) so the member can rejoin.</summary>
    RevokeAll,

    /// <summary>Membership was lost: drop every partition without committing and report them lost.</summary>
    Lost,
}
