namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="DescribeGroupsRequest"/>; member assignments in the consumer protocol's encoding.</summary>
[KafkaMessage(ApiKey.DescribeGroups, 0, 5, 5)]
public sealed class DescribeGroupsResponse
{
    [KafkaField(0, "1+")]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
    public List<Group> Groups { get; set; } = [];

    public sealed class Group
    {
        [KafkaField(0)]
        public short ErrorCode { get; set; }

        [KafkaField(1)]
        public string GroupId { get; set; } = string.Empty;

        [KafkaField(2)]
        public string GroupState { get; set; } = string.Empty;

        [KafkaField(3)]
        public string ProtocolType { get; set; } = string.Empty;

        [KafkaField(4)]
        public string ProtocolData { get; set; } = string.Empty;

        [KafkaField(5)]
        public List<Member> Members { get; set; } = [];

        [KafkaField(6, "3+")]
        public int AuthorizedOperations { get; set; } = int.MinValue;
    }

    public sealed class Member
    {
        [KafkaField(0)]
        public string MemberId { get; set; } = string.Empty;

        [KafkaField(1, "4+", NullableVersions = "4+")]
        public string? GroupInstanceId { get; set; }

        [KafkaField(2)]
        public string ClientId { get; set; } = string.Empty;

        [KafkaField(3)]
        public string ClientHost { get; set; } = string.Empty;

        [KafkaField(4)]
        public byte[] MemberMetadata { get; set; } = [];

        [KafkaField(5)]
        public byte[] MemberAssignment { get; set; } = [];
    }
}
