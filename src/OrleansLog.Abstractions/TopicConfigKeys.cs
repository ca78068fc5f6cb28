namespace OrleansLog;

/// <summary>The topic configuration keys OrleansLog understands, spelled as in Kafka's TopicConfig.</summary>
public static class TopicConfigKeys
{
    public const string RetentionMs = "retention.ms";
    public const string RetentionBytes = "retention.bytes";
    public const string SegmentBytes = "segment.bytes";
    public const string SegmentMs = "segment.ms";
    public const string MaxMessageBytes = "max.message.bytes";
    public const string FlushMessages = "flush.messages";
    public const string FlushMs = "flush.ms";
    public const string ReplicationFactor = "replication.factor";
    public const string MinInSyncReplicas = "min.insync.replicas";
    public const string CleanupPolicy = "cleanup.policy";
    public const string UncleanLeaderElectionEnable = "unclean.leader.election.enable";
    public const string IndexIntervalBytes = "index.interval.bytes";
    public const string MessageTimestampType = "message.timestamp.type";
}
