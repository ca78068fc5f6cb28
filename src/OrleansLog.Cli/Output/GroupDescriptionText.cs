using System.Globalization;
using OrleansLog.Groups;

namespace OrleansLog.Cli.Output;

/// <summary>
/// The text form of <c>groups describe</c>: a group line, a table with a row per member and the partitions
/// it owns, then a table with a row per partition (Kafka's kafka-consumer-groups --describe columns). A
/// missing committed offset, instance id or owner shows as "-".
/// </summary>
internal static class GroupDescriptionText
{
    public static void Write(GroupDescription group, TextWriter writer)
    {
        writer.WriteLine(
            $"Group: {group.GroupId}  State: {group.State}  Assignor: {group.Assignor ?? "-"}  Generation: {Number(group.GenerationId)}  Members: {Number(group.Members.Count)}  Total lag: {Number(group.TotalLag)}");
        var members = new TextTable("MEMBER-ID", "INSTANCE-ID", "CLIENT-ID", "PARTITIONS");
        foreach (GroupMemberDescription member in group.Members.OrderBy(static m => m.MemberId, StringComparer.Ordinal))
        {
            string partitions = string.Join(',', GroupOrder.Sort(member.Assignment, static p => p));
            members.AddRow(member.MemberId, member.GroupInstanceId ?? "-", member.ClientId, partitions.Length == 0 ? "-" : partitions);
        }

        members.WriteTo(writer);
        writer.WriteLine();
        var offsets = new TextTable("TOPIC", "PARTITION", "COMMITTED-OFFSET", "HIGH-WATERMARK", "LAG", "OWNER");
        foreach (PartitionLag lag in GroupOrder.Sort(group.Offsets, static o => o.Partition))
        {
            offsets.AddRow(
                lag.Partition.Topic,
                Number(lag.Partition.Partition),
                lag.CommittedOffset < 0 ? "-" : Number(lag.CommittedOffset),
                Number(lag.HighWatermark),
                Number(lag.Lag),
                lag.Owner ?? "-");
        }

        offsets.WriteTo(writer);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
