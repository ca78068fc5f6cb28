namespace OrleansLog.Grains.Groups;

/// <summary>
/// One member of a group as the state machine tracks it: what it subscribed with, its assignment in the
/// current generation, and its deadlines (Unix ms on the machine's clock). Mutable; owned by
/// <see cref="GroupStateMachine"/>, which alone changes it.
/// </summary>
internal sealed class GroupMember
{
    public required string MemberId { get; set; }

    public string? GroupInstanceId { get; init; }

    public string ClientId { get; set; } = string.Empty;

    public int SessionTimeoutMs { get; set; }

    public int RebalanceTimeoutMs { get; set; }

    /// <summary>Subscribed topics, sorted and distinct.</summary>
    public IReadOnlyList<string> Topics { get; set; } = [];

    /// <summary>Supported assignors, in the member's order of preference.</summary>
    public IReadOnlyList<string> Assignors { get; set; } = [];

    /// <summary>The partitions the member reported owning in its last JoinGroup.</summary>
    public IReadOnlyList<TopicPartition> OwnedPartitions { get; set; } = [];

    /// <summary>The member's partitions in the current generation (in the previous one while a rebalance prepares).</summary>
    public IReadOnlyList<TopicPartition> Assignment { get; set; } = [];

    /// <summary>The JoinGroup call waiting for the join phase to complete, if any.</summary>
    public long? PendingJoinId { get; set; }

    /// <summary>True until a join phase that included the member completed: nobody has told it its member id yet.</summary>
    public bool IsNew { get; set; } = true;

    /// <summary>The member fetched its assignment of the current generation.</summary>
    public bool Synced { get; set; }

    public long HeartbeatDeadlineMs { get; set; }

    public long SyncDeadlineMs { get; set; }

    /// <summary>Order of first joining; the oldest member leads when the leader is gone.</summary>
    public long JoinOrder { get; init; }

    public bool IsAwaitingJoin => PendingJoinId is not null;
}
