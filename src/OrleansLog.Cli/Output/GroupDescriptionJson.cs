using OrleansLog.Groups;

namespace OrleansLog.Cli.Output;

/// <summary>
/// <c>olog groups describe --format json</c>: <c>{"group","state","assignor","generation","members":[…],
/// "offsets":[…],"total_lag"}</c>. Members are sorted by member id, partitions and offsets by topic and
/// partition, so the output is stable. A committed offset of -1 means the group has none for the partition.
/// </summary>
internal sealed record GroupDescriptionJson(
    string Group,
    string State,
    string? Assignor,
    int Generation,
    IReadOnlyList<GroupMemberJson> Members,
    IReadOnlyList<GroupOffsetJson> Offsets,
    long TotalLag)
{
    public static GroupDescriptionJson From(GroupDescription group) => new(
        group.GroupId,
        group.State.ToString(),
        group.Assignor,
        group.GenerationId,
        [.. group.Members.OrderBy(static m => m.MemberId, StringComparer.Ordinal).Select(GroupMemberJson.From)],
        [.. GroupOrder.Sort(group.Offsets, static o => o.Partition).Select(GroupOffsetJson.From)],
        group.TotalLag);
}
