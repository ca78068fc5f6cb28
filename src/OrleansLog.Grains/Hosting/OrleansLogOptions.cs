namespace OrleansLog.Grains.Hosting;

/// <summary>Settings of OrleansLog inside a silo. Bound from the <c>OrleansLog</c> configuration section by the silo host.</summary>
public sealed class OrleansLogOptions
{
    /// <summary>Name of the grain storage provider that holds topic metadata and producer ids.</summary>
    public const string StorageName = "olog";

    /// <summary>Directory holding partition logs and (in embedded mode) grain state. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// This node's stable identity, independent of the silo address (which changes on every restart).
    /// Empty (the default) means: read it from <c>{DataDirectory}/node-id</c>, or generate and keep one there.
    /// </summary>
    public string NodeId { get; set; } = string.Empty;

    /// <summary>How often each partition deletes segments past its retention. Default 5 minutes (Kafka's log.retention.check.interval.ms).</summary>
    public TimeSpan RetentionCheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most partitions one topic may have (created or added): beyond it, create and add-partitions are
    /// refused with InvalidPartitions naming this setting. Default 10,000.
    /// </summary>
    public int MaxPartitionsPerTopic { get; set; } = 10_000;

    /// <summary>
    /// The most partition replicas one node may hold over all topics (its share of each topic's assignment):
    /// a create or add-partitions that would put more on any node is refused with InvalidPartitions naming it.
    /// Default 20,000 (10,000 idle partitions measured at ~320 MB and ~10,300 file descriptors on one silo).
    /// </summary>
    public int MaxPartitionsPerNode { get; set; } = 20_000;

    /// <summary>The longest a fetch may wait for data, whatever the consumer asks for. Default 30 seconds.</summary>
    public TimeSpan MaxFetchWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The most bytes one fetch returns, whatever the consumer asks for (Kafka's fetch.max.bytes). Default 50 MiB.</summary>
    public int MaxFetchBytes { get; set; } = 50 * 1024 * 1024;

    /// <summary>
    /// Keep grain state in files under <see cref="DataDirectory"/> (the embedded default). Cluster mode
    /// turns this off and registers ADO.NET storage under <see cref="StorageName"/> instead.
    /// </summary>
    public bool UseFileGrainStorage { get; set; } = true;

    /// <summary>
    /// Threads that write and fsync file grain state (embedded mode). Concurrent fsyncs are merged by the
    /// kernel, so a few threads multiply durable state writes per second: 8 (the default) took offset
    /// commits from 12.6k/s with one thread's worth of concurrency to 60k/s across 100 groups here.
    /// </summary>
    public int StateSyncThreads { get; set; } = 8;

    /// <summary>
    /// replica.lag.time.max.ms: a follower that has not caught up with the leader's log end for this long
    /// leaves the in-sync replicas. Default 30 seconds, as Kafka. (A follower whose node Orleans declares
    /// dead leaves the ISR at once.)
    /// </summary>
    public TimeSpan ReplicaLagTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a follower's fetch waits at the leader for new records (replica.fetch.wait.max.ms). Default 500 ms.</summary>
    public TimeSpan ReplicaFetchWait { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The most bytes a follower fetch copies of one partition (replica.fetch.max.bytes); one fetch from a
    /// leader node carries up to eight times this over all its partitions. Default 1 MiB.
    /// </summary>
    public int ReplicaFetchMaxBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How often the leader of a replicated partition checks its followers: ISR shrink by lag and by dead
    /// nodes, the high-watermark checkpoint, reassignment progress and preferred-leader election. Default 1 second.
    /// </summary>
    public TimeSpan ReplicationCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often each node checks that the partitions on its disk led elsewhere are followed by its
    /// fetchers, and starts any that are not (as a Kafka broker keeps its replica fetchers running) — the
    /// one owner of follower liveness on a node. Default 10 seconds.
    /// </summary>
    public TimeSpan FollowerCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// auto.leader.rebalance.enable: a leader that is not its partition's preferred replica hands leadership
    /// back once the preferred replica has been in sync for <see cref="PreferredLeaderDelay"/>. Default on.
    /// </summary>
    public bool AutoLeaderRebalance { get; set; } = true;

    /// <summary>How long the preferred replica must stay in sync before leadership moves back to it. Default 10 seconds.</summary>
    public TimeSpan PreferredLeaderDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Settings of the consumer-group coordinators (section <c>OrleansLog:Groups</c>).</summary>
    public OrleansLog.Grains.Groups.GroupCoordinatorOptions Groups { get; set; } = new();
}
