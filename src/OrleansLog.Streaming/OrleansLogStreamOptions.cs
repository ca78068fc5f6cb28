namespace OrleansLog.Streaming;

/// <summary>
/// Options of one OrleansLog stream provider (<c>AddOrleansLogStreams(name, o => …)</c>). Each stream
/// namespace the application uses is mapped to one topic with <see cref="AddNamespace"/>; a stream of an
/// unmapped namespace is refused with an error naming it.
/// </summary>
public sealed class OrleansLogStreamOptions
{
    private readonly Dictionary<string, StreamNamespaceOptions> _namespaces = new(StringComparer.Ordinal);

    /// <summary>The mapped stream namespaces, by namespace.</summary>
    public IReadOnlyDictionary<string, StreamNamespaceOptions> Namespaces => _namespaces;

    /// <summary>
    /// What happens when a namespace's topic does not exist: <see cref="TopicCreation.CreateIfMissing"/>
    /// (the default) creates it on first use with the namespace's partitions, replication factor and
    /// retention; <see cref="TopicCreation.RequireExisting"/> refuses to produce to it and leaves its
    /// queues idle until an operator creates it.
    /// </summary>
    public TopicCreation TopicCreation { get; set; } = TopicCreation.CreateIfMissing;

    /// <summary>Replicas that must hold an event before <c>OnNextAsync</c> completes. Default <see cref="Acks.All"/>.</summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>
    /// The consumer group under which the provider checkpoints each queue's progress (one committed offset per
    /// partition, visible in <c>olog groups describe</c>). Default <c>orleans-streams-{provider name}</c>.
    /// </summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>
    /// Batch containers (one per run of a stream's events in a record batch) kept in memory per queue for
    /// subscribers at the live edge. A subscriber further behind, or one that asks for an older token, reads
    /// from the partition's log instead, so this bounds memory, not how far back a subscriber can go. Default 4,096.
    /// </summary>
    public int CacheSize { get; set; } = 4096;

    /// <summary>Bytes of events the cache of one queue may hold; the oldest containers are evicted beyond it. Default 32 MiB.</summary>
    public long CacheMaxBytes { get; set; } = 32L << 20;

    /// <summary>Most bytes one read of a partition asks for, live or replay. Default 1 MiB.</summary>
    public int FetchMaxBytes { get; set; } = 1 << 20;

    /// <summary>
    /// How long a queue's receiver waits inside one read of its partition for new events (long-poll). Events
    /// reach the pulling agent as soon as they are appended, so latency does not depend on the agent's
    /// polling period; an idle queue costs one parked read per this interval. Default 1 second.
    /// </summary>
    public TimeSpan ReceiverMaxWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// While events are flowing (the last read returned some), the receiver waits this long before its next
    /// read, so a busy queue takes many events per read instead of one per append — fewer calls, more of the
    /// two cores left for producing and delivering. An idle queue does not wait: its next event is returned the
    /// moment it is appended. Zero turns this off. Default 1 ms.
    /// </summary>
    public TimeSpan ReceiverLinger { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How often a queue commits its progress when it moved. Default 1 second (the window of redelivery after a crash).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one call to a partition or the group coordinator waits for its answer before it counts as
    /// failed and is retried (a receiver's long-poll waits <see cref="ReceiverMaxWait"/> on top). Orleans does
    /// not fail a call in flight to a silo that was killed until its own 30 s response timeout; this bounds how
    /// long producing and reading stay stuck on a dead leader after a failover. Default 2 seconds.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long <c>OnNextAsync</c> retries a retriable failure (leader moving, not enough replicas) before it throws. Default 30 seconds.</summary>
    public TimeSpan ProduceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where a queue without a checkpoint starts reading: <see cref="QueueStartPosition.Earliest"/> (default;
    /// nothing produced before the first silo came up is skipped) or <see cref="QueueStartPosition.Latest"/>.
    /// </summary>
    public QueueStartPosition StartWithoutCheckpoint { get; set; } = QueueStartPosition.Earliest;

    /// <summary>
    /// A topic that receives a copy of each event whose delivery failed after Orleans' retries (with headers
    /// naming the subscription, source topic, partition and offset); null (default) for none.
    /// </summary>
    public string? DeadLetterTopic { get; set; }

    /// <summary>Whether a failed delivery faults an explicit subscription (Orleans' <c>ShouldFaultSubsriptionOnError</c>). Default false: log, dead-letter, move on.</summary>
    public bool FaultSubscriptionOnError { get; set; }

    /// <summary>
    /// Batch containers the pulling agent hands a subscriber per call (Orleans' <c>BatchContainerBatchSize</c>).
    /// Larger values cut grain calls when a subscriber replays or catches up. Default 1.
    /// </summary>
    public int DeliveryBatchSize { get; set; } = 1;

    /// <summary>
    /// The pulling agent's timer (Orleans' <c>GetQueueMsgsTimerPeriod</c>). The receiver long-polls, so this
    /// only bounds how soon reading resumes after the agent paused (a new stream's registration). Default 20 ms.
    /// </summary>
    public TimeSpan PullingPeriod { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Maps stream namespace <paramref name="streamNamespace"/> to a topic (by default named like the namespace).</summary>
    public OrleansLogStreamOptions AddNamespace(string streamNamespace, Action<StreamNamespaceOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamNamespace);
        var ns = new StreamNamespaceOptions(streamNamespace);
        configure?.Invoke(ns);
        _namespaces[streamNamespace] = ns;
        return this;
    }

    internal string ConsumerGroupFor(string providerName) => ConsumerGroup ?? "orleans-streams-" + providerName;
}
