namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>OffsetFetch (key 9), versions 1-7 (one group per request): a group's committed offsets; null topics (2+) for all of them.</summary>
[KafkaMessage(ApiKey.OffsetFetch, 1, 7, 6)]
public sealed class OffsetFetchRequest
{
    [KafkaField(0)]
    public string GroupId { get; set; } = string.Empty;

    [KafkaField(1, NullableVersions = "2+")]
    public List<Topic>? Topics { get; set; } = [];

    [KafkaField(2, "7+")]
    public bool RequireStable { get; set; }

    public sealed class Topic
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1)]
        public List<int> PartitionIndexes { get; set; } = [];
    }
}
