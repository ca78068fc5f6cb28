namespace OrleansLog.Grains.Groups;

/// <summary>
/// Kafka's member order for range and round-robin (<c>AbstractPartitionAssignor.MemberInfo.compareTo</c>):
/// static members first, by group instance id, so a restarted static member keeps its place; then dynamic
/// members by member id. Strings compare ordinally, as Java's <c>String.compareTo</c> does.
/// </summary>
internal sealed class MemberOrder : IComparer<AssignorMember>
{
    public static readonly MemberOrder Instance = new();

    public int Compare(AssignorMember? x, AssignorMember? y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return (x.GroupInstanceId, y.GroupInstanceId) switch
        {
            ({ } a, { } b) => string.CompareOrdinal(a, b),
            ({ }, null) => -1,
            (null, { }) => 1,
            _ => string.CompareOrdinal(x.MemberId, y.MemberId),
        };
    }
}
