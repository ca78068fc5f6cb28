namespace OrleansLog.Groups;

/// <summary>
/// The coordinator of one consumer group (key: the group id), over a pure group state machine.
/// Membership follows Kafka's classic protocol (JoinGroup/SyncGroup/Heartbeat/LeaveGroup) so the wire
/// protocol can map onto it; committed offsets are durable grain state.
/// </summary>
[Alias("olog.IGroupCoordinatorGrain")]
public interface IGroupCoordinatorGrain : IGrainWithStringKey
{
    /// <summary>Joins (or rejoins) the group; answers when the join phase of the rebalance completes.</summary>
    [Alias("join")]
    Task<JoinGroupResult> JoinGroupAsync(JoinGroupRequest request, CancellationToken cancellationToken = default);

    /// <summary>Gets this member's assignment for <paramref name="generationId"/>.</summary>
    [Alias("sync")]
    Task<SyncGroupResult> SyncGroupAsync(string memberId, string? groupInstanceId, int generationId, CancellationToken cancellationToken = default);

    /// <summary>Keeps the member alive; RebalanceInProgress tells it to rejoin.</summary>
    [Alias("heartbeat")]
    Task<ErrorCode> HeartbeatAsync(string memberId, string? groupInstanceId, int generationId, CancellationToken cancellationToken = default);

    /// <summary>Leaves the group at once, starting a rebalance for the others.</summary>
    [Alias("leave")]
    Task<ErrorCode> LeaveGroupAsync(string memberId, string? groupInstanceId, CancellationToken cancellationToken = default);

    [Alias("commit")]
    Task<OffsetCommitResult> CommitOffsetsAsync(OffsetCommitRequest request, CancellationToken cancellationToken = default);

    /// <summary>Committed offsets of the given partitions, or of every partition with one when null.</summary>
    [Alias("fetch-offsets")]
    Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken = default);

    /// <summary>State, members, assignments and lag. GroupIdNotFound for a group that never existed.</summary>
    [Alias("describe")]
    Task<(ErrorCode Error, GroupDescription? Group)> DescribeAsync(CancellationToken cancellationToken = default);

    /// <summary>Moves a topic's committed offsets; only while the group has no members (else NonEmptyGroup).</summary>
    [Alias("reset-offsets")]
    Task<AdminResult> ResetOffsetsAsync(string topic, OffsetResetSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Deletes an empty group and its offsets (NonEmptyGroup while it has members, GroupIdNotFound if unknown).</summary>
    [Alias("delete")]
    Task<AdminResult> DeleteAsync(CancellationToken cancellationToken = default);

    /// <summary>The topic was deleted: the group's committed offsets of its partitions are removed.</summary>
    [Alias("forget-topic")]
    Task ForgetTopicAsync(string topic, CancellationToken cancellationToken = default);
}
