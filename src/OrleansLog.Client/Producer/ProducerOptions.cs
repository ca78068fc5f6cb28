using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>
/// Settings of an <see cref="OrleansLogProducer"/>. Names follow Kafka's producer configuration (given in
/// each property's documentation); durations are <see cref="TimeSpan"/>s. The producer copies the options
/// when it is built and checks them with <see cref="ProducerOptionsValidator"/>; later changes have no effect.
/// </summary>
public sealed class ProducerOptions
{
    /// <summary>Kafka's <c>buffer.memory</c> default: 32 MiB.</summary>
    public const long DefaultBufferMemoryBytes = 32L * 1024 * 1024;

    /// <summary>Default of <see cref="BatchBytes"/>: 64 KiB.</summary>
    public const int DefaultBatchBytes = 64 * 1024;

    /// <summary>Kafka's <c>max.request.size</c> default: 1 MiB.</summary>
    public const int DefaultMaxRequestBytes = 1024 * 1024;

    /// <summary>
    /// acks: how many replicas must have a batch before it counts as delivered. Default <see cref="Acks.All"/>,
    /// as in Kafka since 3.0. With <see cref="Acks.None"/> records are reported delivered (offset -1) as soon as
    /// their batch is handed to the partition leader, and failures are only logged.
    /// </summary>
    public Acks Acks { get; set; } = Acks.All;

    /// <summary>
    /// enable.idempotence: give every batch the producer id, epoch and per-partition sequence numbers so the
    /// leader drops a retried batch it already has; retries then never duplicate records. Default true, as in
    /// Kafka since 3.0. Requires <see cref="Acks"/> Leader or All (Kafka insists on All; with Leader a
    /// failover may lose the newest sequence numbers, and the producer then continues under a new producer
    /// id) and <see cref="MaxInFlightPerPartition"/> ≤ 5 (the leader remembers the last five batches per
    /// producer). Sequence numbers are also what keeps several in-flight batches in order: Orleans does not
    /// promise that concurrent calls reach a grain in the order they were made, and the leader uses the
    /// sequence to put them back in order.
    /// </summary>
    public bool EnableIdempotence { get; set; } = true;

    /// <summary>
    /// linger.ms: how long a batch waits for more records before it is sent even though it is not full.
    /// Default 5 ms, Kafka 4.0's default (KIP-1030): a little latency buys much larger batches.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// batch.size: a batch is closed and sent once its records reach this many bytes (a single larger record
    /// gets a batch of its own). Default 64 KiB instead of Kafka's 16 KiB: a grain call costs 6-8 µs of CPU
    /// (ORLEANS-NOTES), so one call per 64 KiB keeps the call overhead near 1% at 100 MB/s, while each sealed
    /// batch still stays below the 85,000-byte large-object-heap threshold and is a cheap gen-0 allocation.
    /// Between 1 KiB and <see cref="MaxRequestBytes"/>.
    /// </summary>
    public int BatchBytes { get; set; } = DefaultBatchBytes;

    /// <summary>
    /// buffer.memory: the most record bytes the producer buffers (waiting, in flight, or awaiting retry). When
    /// it is full, <see cref="IProducer.ProduceAsync(string, Message, CancellationToken)"/> waits for space
    /// instead of growing without bound. Default 32 MiB, as Kafka. At least <see cref="MaxRequestBytes"/>.
    /// </summary>
    public long BufferMemoryBytes { get; set; } = DefaultBufferMemoryBytes;

    /// <summary>
    /// max.request.size: the largest single record (key, value and headers, encoded) the producer accepts;
    /// larger ones fail at once with <see cref="ErrorCode.MessageTooLarge"/>. Default 1 MiB, as Kafka. The
    /// topic's <c>max.message.bytes</c> still applies on the broker.
    /// </summary>
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>
    /// max.in.flight.requests.per.connection, per partition here: batches of one partition sent and not yet
    /// answered. Default 5, as Kafka; 1..5 with idempotence. Order within a partition is kept: batches are
    /// sent in order, the leader holds back an idempotent batch that overtook an earlier one until that one
    /// arrives, and after a failure the partition waits for its in-flight batches and resends the failed ones
    /// in order. Without idempotence (and acks other than none) only one batch per partition is in flight,
    /// because nothing else would stop Orleans from delivering two concurrent calls out of order.
    /// </summary>
    public int MaxInFlightPerPartition { get; set; } = 5;

    /// <summary>
    /// retry.backoff.ms: the wait before the first retry of a failed batch; it doubles with each further
    /// attempt up to <see cref="RetryBackoffMax"/>. Default 100 ms, as Kafka.
    /// </summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>retry.backoff.max.ms: the longest wait between retries. Default 1 s, as Kafka.</summary>
    public TimeSpan RetryBackoffMax { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// delivery.timeout.ms: how long after a record is buffered the producer keeps trying to deliver it before
    /// reporting failure (retriable errors and Orleans transport failures such as a silo failover are retried
    /// until then). Default 120 s, as Kafka. Must exceed <see cref="Linger"/>.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// request.timeout.ms: how long one attempt waits for the leader's answer before it counts as failed and
    /// is retried (the retry is deduplicated by the leader under idempotence). Orleans does not fail a call
    /// that is in flight to a silo that was killed — it waits for its own 30 s response timeout — so this is
    /// what bounds how long a batch stays stuck on a dead leader after a failover. Default 2 s; raise it for
    /// acks=all on disks whose fsync can take longer (flush.messages=1).
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// metadata.max.age.ms: how long a topic's partition count is trusted before it is re-read (in the
    /// background; produce does not wait for it). Also re-read at once after UnknownTopicOrPartition.
    /// Default 5 minutes, as Kafka.
    /// </summary>
    public TimeSpan MetadataMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>compression.type: codec for whole batches, with Kafka's codec ids. Default none, as Kafka.</summary>
    public CompressionType Compression { get; set; } = CompressionType.None;

    internal ProducerOptions Clone() => (ProducerOptions)MemberwiseClone();
}
