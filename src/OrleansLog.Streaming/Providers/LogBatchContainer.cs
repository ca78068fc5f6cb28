using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// A run of one stream's consecutive records from one record batch (see <see cref="StreamRecordFormat"/>).
/// Its token is (offset of the first record, 0) and event <c>i</c>'s is (that offset, i), so a container read
/// again from the log — redelivery, replay, another silo — carries the same tokens.
/// </summary>
/// <remarks>
/// Immutable: the pulling agent hands the same instance to every local subscriber without a deep copy. Events
/// are deserialized on each <see cref="GetEvents{T}"/>, so subscribers never share (and mutate) one object.
/// </remarks>
[GenerateSerializer, Immutable, Alias("olog.streams.LogBatchContainer")]
[SerializationCallbacks(typeof(Orleans.Runtime.OnDeserializedCallbacks))]
internal sealed class LogBatchContainer : IBatchContainer, IOnDeserialized
{
    [NonSerialized]
    private Serializer? _serializer;

    [NonSerialized]
    private long _sizeInBytes = -1;

    public LogBatchContainer(StreamId streamId, long firstOffset, long lastOffset, byte[][] values, bool[] encoded, byte[]? requestContext, Serializer? serializer)
    {
        StreamId = streamId;
        FirstOffset = firstOffset;
        LastOffset = lastOffset;
        Values = values;
        Encoded = encoded;
        RequestContext = requestContext;
        _serializer = serializer;
        SequenceToken = new EventSequenceTokenV2(firstOffset);
    }

    [Id(0)]
    public StreamId StreamId { get; }

    /// <summary>Offset of the run's first record in its partition.</summary>
    [Id(1)]
    public long FirstOffset { get; }

    /// <summary>Offset of the run's last record.</summary>
    [Id(2)]
    public long LastOffset { get; }

    /// <summary>Each event's record value.</summary>
    [Id(3)]
    public byte[][] Values { get; }

    /// <summary>Per event: true when the value is Orleans-serialized, false for a raw value from another producer.</summary>
    [Id(4)]
    public bool[] Encoded { get; }

    [Id(5)]
    public byte[]? RequestContext { get; }

    [Id(6)]
    public StreamSequenceToken SequenceToken { get; }

    /// <summary>Roughly what the container holds in memory: its values plus a fixed overhead per event.</summary>
    public long SizeInBytes
    {
        get
        {
            if (_sizeInBytes < 0)
            {
                long bytes = 64 + (RequestContext?.Length ?? 0);
                foreach (byte[] value in Values)
                {
                    bytes += value.Length + 32;
                }

                _sizeInBytes = bytes;
            }

            return _sizeInBytes;
        }
    }

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        for (int i = 0; i < Values.Length; i++)
        {
            object? value = Decode<T>(i);
            if (value is T typed)
            {
                yield return Tuple.Create(typed, (StreamSequenceToken)new EventSequenceTokenV2(FirstOffset, i));
            }
        }
    }

    public bool ImportRequestContext()
    {
        if (RequestContext is null || _serializer is null)
        {
            return false;
        }

        var context = _serializer.Deserialize<Dictionary<string, object>>(RequestContext);
        RequestContextExtensions.Import(context);
        return true;
    }

    void IOnDeserialized.OnDeserialized(DeserializationContext context) =>
        _serializer = context.ServiceProvider.GetRequiredService<Serializer>();

    private object? Decode<T>(int index)
    {
        byte[] bytes = Values[index];
        if (!Encoded[index])
        {
            return typeof(T) == typeof(string) ? Encoding.UTF8.GetString(bytes) : bytes;
        }

        Serializer serializer = _serializer ?? throw new InvalidOperationException("The batch container has no serializer.");
        try
        {
            return serializer.Deserialize<object?>(bytes);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new StreamEventSerializationException(
                $"The event at offset {FirstOffset + index} of stream {StreamId} cannot be deserialized: {ex.Message}", ex);
        }
    }

    public override string ToString() => $"{StreamId} offsets {FirstOffset}-{LastOffset} ({Values.Length} events)";
}
