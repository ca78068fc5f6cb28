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

    /// <summary>
    /// request.timeout.ms beyond <see cref="FetchMaxWait"/>: a fetch with no answer after the wait plus this
    /// long is abandoned and sent again. Orleans does not fail a call in flight to a silo that was killed (it
    /// waits 30 s), so this bounds how long a consumer stalls on a dead leader. Default 2 s.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>retry.backoff.ms: the wait before fetching again after an error. Default 100 ms, as Kafka.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>check.crcs: verify each fetched batch's CRC-32C before reading it. Default true, as Kafka.</summary>
    public bool CheckCrcs { get; set; } = true;

    /// <summary>
    /// group.id: the consumer group that <see cref="IConsumer.Subscribe"/> joins and that offsets are
    /// committed to. Default null: no group, so only manual assignment and no commits.
    /// </summary>
    public string? GroupId { get; set; }

    /// <summary>
    /// group.instance.id: makes the consumer a static member (KIP-345). A static member that restarts
    /// within <see cref="SessionTimeout"/> gets its partitions back without a rebalance, and it does not
    /// leave the group when disposed. Default null: a dynamic member, which leaves on dispose.
    /// </summary>
    public string? GroupInstanceId { get; set; }

    /// <summary>client.id: shown by <c>olog groups describe</c>. Default null: <c>consumer-{GroupId}-{n}</c>, as Kafka's Java client names it.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// session.timeout.ms: the coordinator removes a member it has not heard from for this long and
    /// gives its partitions to the others. Default 45 s, as Kafka.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>
    /// heartbeat.interval.ms: how often the background heartbeat tells the coordinator the member is
    /// alive; independent of how fast the application consumes. Below <see cref="SessionTimeout"/>
    /// (Kafka advises a third of it). Default 3 s, as Kafka.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// max.poll.interval.ms: if the application does not call <see cref="IConsumer.ConsumeAsync"/> for
    /// this long, the member leaves the group (its partitions go to others) and rejoins on the next
    /// consume, where its partitions are reported lost. Default 300 s, as Kafka.
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// How long the coordinator waits for every member to rejoin during a rebalance. Default null:
    /// <see cref="MaxPollInterval"/>, as Kafka's Java client sends max.poll.interval.ms.
    /// </summary>
    public TimeSpan? RebalanceTimeout { get; set; }

    /// <summary>
    /// partition.assignment.strategy: the assignors this consumer supports, most preferred first; the
    /// coordinator picks one every member supports and computes the assignment. Default
    /// <c>["cooperative-sticky", "range"]</c>. Kafka's Java client lists range first only so that groups
    /// of older eager clients can be upgraded by rolling bounces (KIP-429); there is no such legacy here,
    /// and with cooperative-sticky a rebalance stops only the partitions that move.
    /// </summary>
    public IList<string> PartitionAssignmentStrategy { get; set; } = [PartitionAssignors.CooperativeSticky, PartitionAssignors.Range];

    /// <summary>
    /// enable.auto.commit: commit the consumed positions every <see cref="AutoCommitInterval"/>, before
    /// partitions are revoked in a rebalance, and on dispose. Default true, as Kafka.
    /// </summary>
    public bool EnableAutoCommit { get; set; } = true;

    /// <summary>
    /// auto.commit.interval.ms: how often consumed positions are committed when
    /// <see cref="EnableAutoCommit"/> is on. Default 5 s, as Kafka.
    /// </summary>
    public TimeSpan AutoCommitInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The rebalance timeout in effect: <see cref="RebalanceTimeout"/>, else <see cref="MaxPollInterval"/>.</summary>
    internal TimeSpan EffectiveRebalanceTimeout => RebalanceTimeout ?? MaxPollInterval;

    internal ConsumerOptions Clone()
    {
        var copy = (ConsumerOptions)MemberwiseClone();
        copy.PartitionAssignmentStrategy = PartitionAssignmentStrategy is null ? null! : [.. PartitionAssignmentStrategy];
        return copy;
    }
}
