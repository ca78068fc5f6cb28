namespace OrleansLog.Grains.Groups;

/// <summary>One member as an assignor sees it.</summary>
/// <param name="MemberId">The coordinator-assigned member id.</param>
/// <param name="GroupInstanceId">The static member's <c>group.instance.id</c>, or null.</param>
/// <param name="Topics">The topics it subscribes to.</param>
/// <param name="PreviousAssignment">What the coordinator assigned it in the previous generation (kept across a static member's restart).</param>
/// <param name="OwnedPartitions">What the member reported owning when it joined; cooperative members report the partitions they still consume, eager ones report none.</param>
public sealed record AssignorMember(
    string MemberId,
    string? GroupInstanceId,
    IReadOnlyList<string> Topics,
    IReadOnlyList<TopicPartition> PreviousAssignment,
    IReadOnlyList<TopicPartition> OwnedPartitions);
