using System.Text;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansLog.Client;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// One queue per partition of every mapped namespace's topic. A stream goes to partition
/// <c>murmur2(stream key) % partitions</c>, as a Kafka producer places a keyed record, so one stream's events
/// stay in order and a record produced by any Kafka-style client with the stream's key lands on the same queue.
/// </summary>
internal sealed class PartitionQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly string _providerName;
    private readonly QueueId[] _queues;
    private readonly Dictionary<QueueId, QueuePartition> _byQueue = [];
    private readonly Dictionary<string, (StreamNamespaceOptions Options, int FirstQueue)> _byNamespace = new(StringComparer.Ordinal);

    public PartitionQueueMapper(string providerName, OrleansLogStreamOptions options)
    {
        _providerName = providerName;
        var queues = new List<QueueId>();
        foreach (StreamNamespaceOptions ns in options.Namespaces.Values.OrderBy(n => n.Namespace, StringComparer.Ordinal))
        {
            _byNamespace[ns.Namespace] = (ns, queues.Count);
            for (int partition = 0; partition < ns.Partitions; partition++)
            {
                var tp = new TopicPartition(ns.Topic, partition);
                uint hash = (uint)Murmur2Partitioner.Hash(Encoding.UTF8.GetBytes(providerName + "/" + tp.ToGrainKey()));
                QueueId queue = QueueId.GetQueueId(ns.Topic, (uint)partition, hash);
                queues.Add(queue);
                _byQueue[queue] = new QueuePartition(queue, ns, tp);
            }
        }

        _queues = [.. queues];
    }

    public IEnumerable<QueueId> GetAllQueues() => _queues;

    public QueueId GetQueueForStream(StreamId streamId) => PartitionOf(streamId).QueueId;

    /// <summary>The queues whose hash falls in <paramref name="range"/> (Orleans' consistent-ring balancer).</summary>
    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) => _queues.Where(q => range.InRange(q.GetUniformHashCode())).ToList();

    /// <summary>The queue of <paramref name="streamId"/>.</summary>
    /// <exception cref="UnknownStreamNamespaceException">The stream's namespace is not mapped to a topic.</exception>
    public QueuePartition PartitionOf(StreamId streamId)
    {
        string ns = streamId.GetNamespace() ?? string.Empty;
        if (!_byNamespace.TryGetValue(ns, out var entry))
        {
            throw new UnknownStreamNamespaceException(
                $"Stream {streamId}: namespace '{ns}' is not mapped to a topic in stream provider '{_providerName}' " +
                $"(mapped: {string.Join(", ", _byNamespace.Keys.Select(k => "'" + k + "'"))}); call AddNamespace(\"{ns}\").");
        }

        int partition = Murmur2Partitioner.PartitionForKey(streamId.Key.Span, entry.Options.Partitions);
        return _byQueue[_queues[entry.FirstQueue + partition]];
    }

    public QueuePartition PartitionOf(QueueId queueId) =>
        _byQueue.TryGetValue(queueId, out QueuePartition? partition)
            ? partition
            : throw new ArgumentException($"Queue {queueId} is not one of stream provider '{_providerName}'.", nameof(queueId));
}
