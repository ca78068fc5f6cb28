namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>DeleteRecords (key 21): moves each partition's log start up to an offset (-1: the high watermark).</summary>
[KafkaMessage(ApiKey.DeleteRecords, 0, 2, 2)]
public sealed class DeleteRecordsRequest
{
    [KafkaField(0)]
    public List<Topic> Topics { get; set; } = [];

    [KafkaField(1)]
    public int TimeoutMs { get; set; }

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

        [KafkaField(1)]
        public long Offset { get; set; }
    }
}
