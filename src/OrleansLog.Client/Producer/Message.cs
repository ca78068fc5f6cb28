using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// One record to produce. A null <see cref="Key"/> lets the sticky partitioner choose the partition; a null
/// <see cref="Value"/> is a tombstone. A struct, so producing allocates nothing for the message itself.
/// </summary>
/// <remarks>
/// The producer copies key, value and headers into its batch when it appends the record: with a delivery
/// handler, once <c>ProduceAsync</c>'s <see cref="ValueTask"/> has completed the arrays may be reused;
/// with the <see cref="Task{RecordMetadata}"/> overload, once that task has completed.
/// </remarks>
public readonly struct Message
{
    /// <summary>Key bytes; records with equal keys go to the same partition (Kafka's murmur2 partitioner).</summary>
    public byte[]? Key { get; init; }

    /// <summary>Value bytes, or null for a tombstone.</summary>
    public byte[]? Value { get; init; }

    /// <summary>Record headers, in order. An array or <see cref="List{T}"/> is read without copying.</summary>
    public IReadOnlyList<RecordHeader>? Headers { get; init; }

    /// <summary>The record's CreateTime; null means the producer's clock when the record is appended.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>An explicit partition, bypassing the partitioner; it must exist.</summary>
    public int? Partition { get; init; }
}
