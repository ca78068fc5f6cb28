namespace OrleansLog.Grains.Groups;

/// <summary>Why a member left the group.</summary>
internal enum RemovalReason
{
    /// <summary>It sent LeaveGroup.</summary>
    Left,

    /// <summary>No heartbeat within its session timeout.</summary>
    SessionTimeout,

    /// <summary>It did not rejoin before the rebalance timeout.</summary>
    RebalanceTimeout,

    /// <summary>It did not fetch its assignment within the rebalance timeout after the join phase.</summary>
    SyncTimeout,

    /// <summary>Its first JoinGroup was cancelled before it learned its member id.</summary>
    JoinCancelled,
}
