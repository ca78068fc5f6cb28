using Orleans.Runtime;
using OrleansLog.Records;

namespace OrleansLog.Streaming.Providers;

/// <summary>The records of one <c>OnNextAsync</c>/<c>OnNextBatchAsync</c> call, serialized and waiting to be appended together.</summary>
internal sealed record StreamWrite(StreamId StreamId, byte[] Key, StreamRecord[] Records, long TimestampMs, int EstimatedBytes)
{
    public string Describe() => $"{Records.Length} event(s) of stream {StreamId}";
}

/// <summary>One event's record: its serialized value and its headers (type, namespace, request context).</summary>
internal readonly record struct StreamRecord(byte[] Value, RecordHeader[] Headers);
