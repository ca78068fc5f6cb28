namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>ListOffsets (key 2): the offset for a timestamp per partition (-2 earliest, -1 latest).</summary>
[KafkaMessage(ApiKey.ListOffsets, 1, 7, 6)]
public sealed class ListOffsetsRequest
{
    [KafkaField(0)]
    public int ReplicaId { get; set; } = -1;

    [KafkaField(1, "2+")]
    public sbyte IsolationLevel { get; set; }

    [KafkaField(2)]
    public List<Topic> Topics { get; set; } = [];

    public sealed class Topic
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        [KafkaField(1)]
        public List<Partition> Partitions { get; set; } = [];
    }

    public sealed class Partition
    {
        [KafkaField(0)]
        public int PartitionIndex { get; set; }

        [KafkaField(1, "4+")]
        public int CurrentLeaderEpoch { get; set; } = -1;

        [KafkaField(2)]
        public long Timestamp { get; set; }
    }
}
