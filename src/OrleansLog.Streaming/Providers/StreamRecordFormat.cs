using System.Collections.Concurrent;
using System.Text;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;
using OrleansLog.Records;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// How stream events are laid out as records, so that non-Orleans readers (<c>olog consume</c>, the client
/// library) can read them and records from the client library can reach Orleans subscribers:
/// <list type="bullet">
/// <item>key: the stream id's key bytes (UTF-8 of a string key; a Guid key as Orleans formats it, 32 hex digits);</item>
/// <item>value: the event, serialized with the Orleans serializer (as <c>object</c>, so it carries its type);</item>
/// <item>header <c>orleans.type</c>: the event's .NET type name; its presence marks an Orleans-serialized value;</item>
/// <item>header <c>orleans.ns</c>: the stream namespace (informational; the topic decides the namespace);</item>
/// <item>header <c>orleans.ctx</c>: Orleans' request context, serialized, when the producer had one.</item>
/// </list>
/// One <c>OnNextAsync</c> or <c>OnNextBatchAsync</c> call is one record batch, one record per event. A record
/// without <c>orleans.type</c> is delivered as its raw value: a <c>byte[]</c>, or a <c>string</c> (UTF-8) to a
/// subscriber of strings. On reading, each run of consecutive records of one stream within a record batch is
/// one batch container whose token is (offset of its first record, index of the event in the run).
/// </summary>
internal static class StreamRecordFormat
{
    public const string TypeHeader = "orleans.type";
    public const string NamespaceHeader = "orleans.ns";
    public const string RequestContextHeader = "orleans.ctx";

    private static ReadOnlySpan<byte> TypeHeaderUtf8 => "orleans.type"u8;

    private static ReadOnlySpan<byte> RequestContextHeaderUtf8 => "orleans.ctx"u8;

    private static readonly ConcurrentDictionary<Type, byte[]> TypeNames = new();

    /// <summary>Serializes <paramref name="events"/> into the records of one write (nothing is sent yet).</summary>
    /// <exception cref="StreamEventSerializationException">An event has no Orleans codec; nothing of the call is written.</exception>
    public static StreamWrite Encode<T>(
        StreamId streamId,
        IEnumerable<T> events,
        Dictionary<string, object>? requestContext,
        Serializer serializer,
        long timestampMs)
    {
        byte[] key = streamId.Key.ToArray();
        var ns = new RecordHeader(NamespaceHeader, streamId.Namespace.ToArray());
        RecordHeader? context = requestContext is { Count: > 0 } ? new RecordHeader(RequestContextHeader, serializer.SerializeToArray(requestContext)) : null;
        var records = new List<StreamRecord>();
        int bytes = 0;
        Type? lastType = null;
        RecordHeader[] headers = [];
        foreach (T item in events)
        {
            byte[] value;
            try
            {
                value = serializer.SerializeToArray<object?>(item);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new StreamEventSerializationException(
                    $"Event {records.Count} of type {item?.GetType().FullName ?? "null"} on stream {streamId} cannot be serialized by Orleans " +
                    $"(mark it [GenerateSerializer] or register a codec); nothing of this call was written: {ex.Message}", ex);
            }

            Type type = item?.GetType() ?? typeof(object);
            if (type != lastType)
            {
                var typeHeader = new RecordHeader(TypeHeader, TypeNames.GetOrAdd(type, static t => Encoding.UTF8.GetBytes(t.FullName ?? t.Name)));
                headers = context is { } c ? [typeHeader, ns, c] : [typeHeader, ns];
                lastType = type;
            }

            records.Add(new StreamRecord(value, headers));
            bytes += value.Length + key.Length + 64 + (context?.Value.Length ?? 0) + TypeNames[type].Length;
        }

        if (records.Count == 0)
        {
            throw new ArgumentException($"No event to write to stream {streamId}: the batch is empty.", nameof(events));
        }

        return new StreamWrite(streamId, key, [.. records], timestampMs, bytes);
    }

    /// <summary>Appends the records of <paramref name="write"/> to <paramref name="builder"/>.</summary>
    public static void Append(RecordBatchBuilder builder, StreamWrite write)
    {
        foreach (StreamRecord record in write.Records)
        {
            builder.TryAppend(write.TimestampMs, write.Key, record.Value, record.Headers);
        }
    }

    /// <summary>
    /// Turns the whole batches in <paramref name="data"/> into batch containers of namespace
    /// <paramref name="streamNamespace"/>, skipping records below <paramref name="fromOffset"/> and control
    /// batches; with <paramref name="onlyKey"/> set, keeps only that stream's records. Returns the offset after
    /// the last complete batch (at least <paramref name="fromOffset"/>).
    /// </summary>
    /// <exception cref="InvalidRecordBatchException">A batch failed its CRC or did not decode.</exception>
    public static long ReadContainers(
        ReadOnlyMemory<byte> data,
        ReadOnlySpan<byte> streamNamespace,
        long fromOffset,
        ReadOnlySpan<byte> onlyKey,
        bool filterByKey,
        Serializer serializer,
        RecordBatchReader reader,
        List<IBatchContainer> output)
    {
        long nextOffset = fromOffset;
        var run = new RunBuilder();
        RecordBatchSequenceEnumerator batches = RecordBatchSequence.Enumerate(data);
        while (batches.MoveNext())
        {
            RecordBatchView batch = batches.Current;
            RecordBatchHeader header = batch.Header;
            if (header.NextOffset <= fromOffset)
            {
                continue;
            }

            nextOffset = Math.Max(nextOffset, header.NextOffset);
            if (header.IsControl)
            {
                continue;
            }

            reader.Reset(batch.Memory, verifyCrc: true);
            while (reader.MoveNext())
            {
                Record record = reader.Current;
                if (record.Offset < fromOffset)
                {
                    continue;
                }

                ReadOnlySpan<byte> key = record.KeyIsNull ? default : record.Key.Span;
                if (filterByKey && !key.SequenceEqual(onlyKey))
                {
                    run.Flush(output, serializer);
                    continue;
                }

                if (!run.Continues(key, record.Offset))
                {
                    run.Flush(output, serializer);
                    run.Start(StreamId.Create(streamNamespace, key), record.Offset);
                }

                run.Add(record);
            }

            // A container never spans record batches: its token must come out the same on every read.
            run.Flush(output, serializer);
        }

        return nextOffset;
    }

    /// <summary>Collects consecutive records of one stream into one container.</summary>
    private struct RunBuilder
    {
        private StreamId _stream;
        private long _firstOffset;
        private long _lastOffset;
        private List<byte[]>? _values;
        private List<bool>? _encoded;
        private byte[]? _context;
        private bool _open;

        public readonly bool Continues(ReadOnlySpan<byte> key, long offset) =>
            _open && offset == _lastOffset + 1 && _stream.Key.Span.SequenceEqual(key);

        public void Start(StreamId stream, long offset)
        {
            _stream = stream;
            _firstOffset = offset;
            _lastOffset = offset - 1;
            _values = new List<byte[]>(4);
            _encoded = new List<bool>(4);
            _context = null;
            _open = true;
        }

        public void Add(in Record record)
        {
            bool encoded = false;
            foreach (RecordHeader header in record.Headers)
            {
                ReadOnlySpan<byte> name = header.Key.Span;
                if (name.SequenceEqual(TypeHeaderUtf8))
                {
                    encoded = true;
                }
                else if (_context is null && name.SequenceEqual(RequestContextHeaderUtf8) && !header.ValueIsNull)
                {
                    _context = header.Value.ToArray();
                }
            }

            _values!.Add(record.ValueIsNull ? [] : record.Value.ToArray());
            _encoded!.Add(encoded);
            _lastOffset = record.Offset;
        }

        public void Flush(List<IBatchContainer> output, Serializer serializer)
        {
            if (!_open)
            {
                return;
            }

            output.Add(new LogBatchContainer(_stream, _firstOffset, _lastOffset, [.. _values!], [.. _encoded!], _context, serializer));
            _open = false;
            _values = null;
            _encoded = null;
            _context = null;
        }
    }
}
