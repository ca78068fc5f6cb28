using OrleansLog.Groups;

namespace OrleansLog.Cli.Output;

/// <summary>One member in <c>groups describe --format json</c>; <c>instance_id</c> is null for a dynamic member.</summary>
internal sealed record GroupMemberJson(string MemberId, string? InstanceId, string ClientId, IReadOnlyList<TopicPartitionJson> Partitions)
{
    public static GroupMemberJson From(GroupMemberDescription member) => new(
        member.MemberId,
        member.GroupInstanceId,
        member.ClientId,
        [.. GroupOrder.Sort(member.Assignment, static p => p).Select(static p => new TopicPartitionJson(p.Topic, p.Partition))]);
}
