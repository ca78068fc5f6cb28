using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>
/// Durable state of a group coordinator: committed offsets, and the membership of the last completed
/// generation so that members keep their ids, generation and assignment when the coordinator moves to
/// another silo (Kafka keeps the same in <c>__consumer_offsets</c>). Written before any change it holds
/// is acknowledged: a generation before its JoinGroup answers go out, offsets before the commit answer.
/// </summary>
[GenerateSerializer, Alias("olog.GroupCoordinatorState")]
public sealed class GroupCoordinatorState
{
    /// <summary>The group exists: something joined it, committed or reset offsets, and it was not deleted since.</summary>
    [Id(0)] public bool Exists { get; set; }

    /// <summary>The state to resume in: Empty, Stable, or PreparingRebalance when a rebalance was under way.</summary>
    [Id(1)] public GroupState State { get; set; }

    [Id(2)] public int GenerationId { get; set; }

    [Id(3)] public string? Assignor { get; set; }

    [Id(4)] public string? LeaderId { get; set; }

    [Id(5)] public List<GroupMemberState> Members { get; set; } = [];

    [Id(6)] public List<CommittedOffset> Offsets { get; set; } = [];

    /// <summary>The partition count of each subscribed topic when the current assignment was computed.</summary>
    [Id(7)] public Dictionary<string, int> AssignedPartitionCounts { get; set; } = [];
}
