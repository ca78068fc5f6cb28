namespace OrleansLog.Client;

/// <summary>
/// Settings of an <see cref="OrleansLogConsumer"/>. Names follow Kafka's consumer configuration (given in
/// each property's documentation); durations are <see cref="TimeSpan"/>s. The consumer copies the options
/// when it is built and checks them with <see cref="ConsumerOptionsValidator"/>.
/// </summary>
/// <remarks>
/// Memory bound: per assigned partition at most <see cref="BufferedFetchesPerPartition"/> fetch results are
/// buffered plus one fetch in flight, each at most <see cref="MaxPartitionFetchBytes"/> of record bytes
/// (a single larger batch is still returned whole, as in Kafka).
/// </remarks>
public sealed class ConsumerOptions
{
    /// <summary>Kafka's <c>max.partition.fetch.bytes</c> default: 1 MiB.</summary>
    public const int DefaultMaxPartitionFetchBytes = 1024 * 1024;

    /// <summary>auto.offset.reset: see <see cref="Client.AutoOffsetReset"/>. Default <see cref="AutoOffsetReset.Latest"/>, as Kafka.</summary>
    public AutoOffsetReset AutoOffsetReset { get; set; } = AutoOffsetReset.Latest;

    /// <summary>max.partition.fetch.bytes: the most record bytes one fetch returns per partition. Default 1 MiB, as Kafka.</summary>
    public int MaxPartitionFetchBytes { get; set; } = DefaultMaxPartitionFetchBytes;

    /// <summary>fetch.min.bytes: the leader answers a fetch once this many bytes are available. Default 1, as Kafka.</summary>
    public int FetchMinBytes { get; set; } = 1;

    /// <summary>fetch.max.wait.ms: how long the leader holds a fetch waiting for <see cref="FetchMinBytes"/>. Default 500 ms, as Kafka.</summary>
    public TimeSpan FetchMaxWait { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Fetch results buffered per partition ahead of the application. With the default 2 the next fetch is
    /// in flight while the records of the previous one are handed out (pipelining); 1 fetches only when the
    /// buffer is empty. Between 1 and 16.
    /// </summary>
    public int BufferedFetchesPerPartition { get; set; } = 2;

    /// <summary>retry.backoff.ms: the wait before fetching again after an error. Default 100 ms, as Kafka.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>check.crcs: verify each fetched batch's CRC-32C before reading it. Default true, as Kafka.</summary>
    public bool CheckCrcs { get; set; } = true;

    internal ConsumerOptions Clone() => (ConsumerOptions)MemberwiseClone();
}
