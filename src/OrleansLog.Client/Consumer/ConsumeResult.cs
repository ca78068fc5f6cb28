using System.Text;
using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// One consumed record. Key, value and headers are copies owned by this object: the fetched bytes went back
/// to their pool as soon as the fetch was parsed, so the record stays valid as long as the application
/// keeps it.
/// </summary>
public sealed class ConsumeResult
{
    internal ConsumeResult(string topic, int partition, long offset, long timestampMs, byte[]? key, byte[]? value, IReadOnlyList<RecordHeader> headers)
    {
        Topic = topic;
        Partition = partition;
        Offset = offset;
        Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(timestampMs);
        Key = key;
        Value = value;
        Headers = headers;
    }

    public string Topic { get; }

    public int Partition { get; }

    public long Offset { get; }

    /// <summary>CreateTime set by the producer, or the broker's append time on LogAppendTime topics.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Key bytes; null when the record has no key.</summary>
    public byte[]? Key { get; }

    /// <summary>Value bytes; null for a tombstone.</summary>
    public byte[]? Value { get; }

    /// <summary>Headers in order; empty when there are none.</summary>
    public IReadOnlyList<RecordHeader> Headers { get; }

    public TopicPartition TopicPartition => new(Topic, Partition);

    public TopicPartitionOffset TopicPartitionOffset => new(Topic, Partition, Offset);

    /// <summary>The key decoded as UTF-8, or null.</summary>
    public string? KeyAsString() => Key is null ? null : Encoding.UTF8.GetString(Key);

    /// <summary>The value decoded as UTF-8, or null.</summary>
    public string? ValueAsString() => Value is null ? null : Encoding.UTF8.GetString(Value);

    public override string ToString() => $"{Topic}-{Partition}@{Offset}";
}
