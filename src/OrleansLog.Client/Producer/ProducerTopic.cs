namespace OrleansLog.Client;

/// <summary>
/// A producer's state for one topic: its sticky partitioner and its partition queues, indexed by partition
/// so the per-record path finds a queue without hashing. Queues are created on first use.
/// </summary>
/// <remarks>Thread-safe: the queue array is replaced copy-on-write under a lock and read without one.</remarks>
internal sealed class ProducerTopic(string name, StickyPartitioner sticky)
{
    private readonly Lock _gate = new();
    private PartitionQueue?[] _queues = [];

    public string Name { get; } = name;

    public StickyPartitioner Sticky { get; } = sticky;

    public PartitionQueue GetQueue(int partition, OrleansLogProducer producer)
    {
        PartitionQueue?[] queues = Volatile.Read(ref _queues);
        if ((uint)partition < (uint)queues.Length && queues[partition] is { } existing)
        {
            return existing;
        }

        lock (_gate)
        {
            queues = _queues;
            if ((uint)partition < (uint)queues.Length && queues[partition] is { } raced)
            {
                return raced;
            }

            var grown = new PartitionQueue?[Math.Max(queues.Length, partition + 1)];
            queues.CopyTo(grown, 0);
            PartitionQueue queue = producer.CreateQueue(new TopicPartition(Name, partition));
            grown[partition] = queue;
            Volatile.Write(ref _queues, grown);
            return queue;
        }
    }
}
