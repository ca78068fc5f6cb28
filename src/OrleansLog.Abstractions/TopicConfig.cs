using System.Globalization;

namespace OrleansLog;

/// <summary>
/// A topic's configuration, typed, with Kafka's keys and defaults. <see cref="TopicConfigParser"/> turns
/// <c>key=value</c> strings into this and rejects unknown keys and bad values with InvalidConfig.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.TopicConfig")]
public sealed record TopicConfig
{
    /// <summary>retention.ms: delete segments whose newest record is older than this; -1 keeps forever. Default 7 days.</summary>
    [Id(0)] public long RetentionMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>retention.bytes: per-partition size bound, oldest segments deleted first; -1 is unbounded (the default).</summary>
    [Id(1)] public long RetentionBytes { get; init; } = -1;

    /// <summary>segment.bytes: roll a new segment at this size. Default 1 GiB.</summary>
    [Id(2)] public int SegmentBytes { get; init; } = 1024 * 1024 * 1024;

    /// <summary>segment.ms: roll a non-empty segment this long after its first append. Default 7 days.</summary>
    [Id(3)] public long SegmentMs { get; init; } = 7L * 24 * 60 * 60 * 1000;

    /// <summary>max.message.bytes: the largest record batch accepted (Kafka's default 1048588).</summary>
    [Id(4)] public int MaxMessageBytes { get; init; } = 1048588;

    /// <summary>
    /// flush.messages: 1 acknowledges an append only after it is fsynced (group-committed across the
    /// silo's partitions); the default, long.MaxValue, leaves flushing to the OS and replication as Kafka does.
    /// Values above 1 are treated as "flush periodically" with <see cref="FlushMs"/> or one second.
    /// </summary>
    [Id(5)] public long FlushMessages { get; init; } = long.MaxValue;

    /// <summary>flush.ms: fsync dirty data at least this often; long.MaxValue (the default) never forces one.</summary>
    [Id(6)] public long FlushMs { get; init; } = long.MaxValue;

    /// <summary>replication.factor: number of copies of each partition. Default 1.</summary>
    [Id(7)] public short ReplicationFactor { get; init; } = 1;

    /// <summary>min.insync.replicas: with acks=all, the fewest in-sync copies that may acknowledge. Default 1.</summary>
    [Id(8)] public int MinInSyncReplicas { get; init; } = 1;

    /// <summary>cleanup.policy: only "delete" is supported; "compact" is rejected until compaction exists.</summary>
    [Id(9)] public string CleanupPolicy { get; init; } = "delete";

    /// <summary>unclean.leader.election.enable: off, as in Kafka since 0.11.</summary>
    [Id(10)] public bool UncleanLeaderElectionEnable { get; init; }

    /// <summary>index.interval.bytes: bytes between offset index entries. Default 4096.</summary>
    [Id(11)] public int IndexIntervalBytes { get; init; } = 4096;

    /// <summary>message.timestamp.type: CreateTime (the default) or LogAppendTime.</summary>
    [Id(12)] public string MessageTimestampType { get; init; } = "CreateTime";

    public static TopicConfig Default { get; } = new();

    /// <summary>Every key with its effective value, in Kafka's spelling.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [TopicConfigKeys.RetentionMs] = Format(RetentionMs),
        [TopicConfigKeys.RetentionBytes] = Format(RetentionBytes),
        [TopicConfigKeys.SegmentBytes] = Format(SegmentBytes),
        [TopicConfigKeys.SegmentMs] = Format(SegmentMs),
        [TopicConfigKeys.MaxMessageBytes] = Format(MaxMessageBytes),
        [TopicConfigKeys.FlushMessages] = Format(FlushMessages),
        [TopicConfigKeys.FlushMs] = Format(FlushMs),
        [TopicConfigKeys.ReplicationFactor] = Format(ReplicationFactor),
        [TopicConfigKeys.MinInSyncReplicas] = Format(MinInSyncReplicas),
        [TopicConfigKeys.CleanupPolicy] = CleanupPolicy,
        [TopicConfigKeys.UncleanLeaderElectionEnable] = UncleanLeaderElectionEnable ? "true" : "false",
        [TopicConfigKeys.IndexIntervalBytes] = Format(IndexIntervalBytes),
        [TopicConfigKeys.MessageTimestampType] = MessageTimestampType,
    };

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
