namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>The answer to <see cref="DeleteRecordsRequest"/>: each partition's new log start (low watermark).</summary>
[KafkaMessage(ApiKey.DeleteRecords, 0, 2, 2)]
public sealed class DeleteRecordsResponse
{
    [KafkaField(0)]
    public int ThrottleTimeMs { get; set; }

    [KafkaField(1)]
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

        [KafkaField(1)]
        public long LowWatermark { get; set; } = -1;

        [KafkaField(2)]
        public short ErrorCode { get; set; }
    }
}
