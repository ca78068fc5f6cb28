namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>
/// Fetch (key 1) as consumers send it, versions 4-12 (topic names; topic ids come with 13). Fetch sessions
/// (KIP-227) are optional for a broker: session id 0 is always valid.
/// </summary>
[KafkaMessage(ApiKey.Fetch, 4, 12, 12)]
public sealed class FetchRequest
{
    /// <summary>-1 for consumers.</summary>
    [KafkaField(0)]
    public int ReplicaId { get; set; } = -1;

    [KafkaField(1)]
    public int MaxWaitMs { get; set; }

    [KafkaField(2)]
    public int MinBytes { get; set; }

    [KafkaField(3)]
    public int MaxBytes { get; set; } = int.MaxValue;

    /// <summary>0: read_uncommitted; 1: read_committed.</summary>
    [KafkaField(4)]
    public sbyte IsolationLevel { get; set; }

    [KafkaField(5, "7+")]
    public int SessionId { get; set; }

    [KafkaField(6, "7+")]
    public int SessionEpoch { get; set; } = -1;

    [KafkaField(7)]
    public List<FetchTopic> Topics { get; set; } = [];

    [KafkaField(8, "7+")]
    public List<ForgottenTopic> ForgottenTopicsData { get; set; } = [];

    [KafkaField(9, "11+")]
    public string RackId { get; set; } = string.Empty;

    public sealed class FetchTopic
    {
        [KafkaField(0)]
        public string Topic { get; set; } = string.Empty;

        [KafkaField(1)]
        public List<FetchPartition> Partitions { get; set; } = [];
    }

    public sealed class FetchPartition
    {
        [KafkaField(0)]
        public int Partition { get; set; }

        [KafkaField(1, "9+")]
        public int CurrentLeaderEpoch { get; set; } = -1;

        [KafkaField(2)]
        public long FetchOffset { get; set; }

        [KafkaField(3, "12+")]
        public int LastFetchedEpoch { get; set; } = -1;

        [KafkaField(4, "5+")]
        public long LogStartOffset { get; set; } = -1;

        [KafkaField(5)]
        public int PartitionMaxBytes { get; set; }
    }

    public sealed class ForgottenTopic
    {
        [KafkaField(0)]
        public string Topic { get; set; } = string.Empty;

        [KafkaField(1)]
        public List<int> Partitions { get; set; } = [];
    }
}
