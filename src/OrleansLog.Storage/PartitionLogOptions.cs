namespace OrleansLog.Storage;

/// <summary>
/// Settings of one <see cref="PartitionLog"/>, named and defaulted like Kafka's topic configs
/// (<c>segment.bytes</c>, <c>segment.ms</c>, <c>index.interval.bytes</c>, <c>retention.ms</c>,
/// <c>retention.bytes</c>, <c>segment.index.bytes</c>). Time settings are milliseconds, not
/// <see cref="TimeSpan"/>, because they are Kafka topic configs with Kafka's <c>-1 = off</c> convention.
/// <see cref="PartitionLogOptionsValidator"/> checks them; <see cref="PartitionLog.Open"/> takes a copy.
/// </summary>
public sealed class PartitionLogOptions
{
    /// <summary>Kafka's <c>segment.bytes</c> default: 1 GiB.</summary>
    public const int DefaultSegmentBytes = 1 << 30;

    /// <summary>Kafka's <c>segment.ms</c> default: 7 days.</summary>
    public const long DefaultSegmentMs = 7L * 24 * 60 * 60 * 1000;

    /// <summary>Kafka's <c>index.interval.bytes</c> default: 4096.</summary>
    public const int DefaultIndexIntervalBytes = 4096;

    /// <summary>Kafka's <c>retention.ms</c> default: 7 days.</summary>
    public const long DefaultRetentionMs = 7L * 24 * 60 * 60 * 1000;

    /// <summary>Kafka's <c>segment.index.bytes</c> default: 10 MiB.</summary>
    public const int DefaultMaxIndexBytes = 10 * 1024 * 1024;

    /// <summary>
    /// The active segment rolls before an append would make it larger than this. Default 1 GiB, at
    /// least 1024, at most <see cref="int.MaxValue"/> because index positions are int32. A single batch
    /// larger than this still fits: it goes alone into a fresh segment.
    /// </summary>
    public int SegmentBytes { get; set; } = DefaultSegmentBytes;

    /// <summary>
    /// The active segment rolls when its first append is older than this. Default 7 days, at least 1.
    /// </summary>
    public long SegmentMs { get; set; } = DefaultSegmentMs;

    /// <summary>
    /// Bytes of log between two entries of the sparse offset and time indexes. Default 4096; 0 indexes
    /// every batch after the first of a segment.
    /// </summary>
    public int IndexIntervalBytes { get; set; } = DefaultIndexIntervalBytes;

    /// <summary>
    /// A closed segment whose largest timestamp is older than this is deleted by
    /// <see cref="PartitionLog.ApplyRetention"/>. Default 7 days; -1 turns time retention off.
    /// </summary>
    public long RetentionMs { get; set; } = DefaultRetentionMs;

    /// <summary>
    /// Oldest closed segments are deleted while the partition stays at or above this size without them.
    /// Default -1 (off).
    /// </summary>
    public long RetentionBytes { get; set; } = -1;

    /// <summary>When appends are fsynced. Default <see cref="Storage.FlushPolicy.None"/>, as Kafka.</summary>
    public FlushPolicy FlushPolicy { get; set; } = FlushPolicy.None;

    /// <summary>
    /// Period of the background flush under <see cref="Storage.FlushPolicy.Interval"/>. Default 1000,
    /// at least 1; ignored by the other policies.
    /// </summary>
    public long FlushIntervalMs { get; set; } = 1000;

    /// <summary>
    /// Largest size of one segment's offset index or time index; the segment rolls when either is full.
    /// Default 10 MiB, at least 12 (one time-index entry).
    /// </summary>
    public int MaxIndexBytes { get; set; } = DefaultMaxIndexBytes;

    /// <summary>A copy, so that later changes to this instance do not reach an open log.</summary>
    public PartitionLogOptions Clone() => (PartitionLogOptions)MemberwiseClone();
}
