namespace OrleansLog.Grains;

/// <summary>
/// A topic's metadata: configuration, partition count, and later its replica assignment. Key: the topic
/// name. Its state is durable grain state (files under the data directory when embedded, PostgreSQL in
/// cluster mode).
/// </summary>
[Alias("olog.ITopicGrain")]
public interface ITopicGrain : IGrainWithStringKey
{
    /// <summary>Creates the topic. InvalidTopic, TopicAlreadyExists, InvalidPartitions, InvalidReplicationFactor or InvalidConfig otherwise.</summary>
    [Alias("create")]
    Task<AdminResult> CreateAsync(int partitions, IReadOnlyDictionary<string, string>? config, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether the topic exists, its partition count and configuration. Interleaves with other calls:
    /// a partition activating during a topic-wide operation (describe, alter) asks for this.
    /// </summary>
    [Alias("metadata"), Orleans.Concurrency.AlwaysInterleave]
    Task<TopicMetadata> GetMetadataAsync(CancellationToken cancellationToken = default);

    [Alias("describe")]
    Task<DescribeTopicResult> DescribeAsync(CancellationToken cancellationToken = default);

    /// <summary>Applies configuration overrides; all or nothing.</summary>
    [Alias("alter-config")]
    Task<AdminResult> AlterConfigAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken = default);

    /// <summary>Raises the partition count to <paramref name="totalPartitions"/> (Kafka CreatePartitions); it can never shrink.</summary>
    [Alias("add-partitions")]
    Task<AdminResult> AddPartitionsAsync(int totalPartitions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves <paramref name="partition"/>'s replicas to <paramref name="replicas"/> online (Kafka
    /// AlterPartitionReassignments): new replicas are added and catch up, join the ISR, leadership moves to
    /// the first new replica if the leader leaves, then the old replicas are dropped with their files.
    /// Returns once the reassignment has started; <c>DescribeAsync</c> shows its progress.
    /// InvalidReplicaAssignment for unknown, duplicate or too few nodes; ReassignmentInProgress when one runs.
    /// </summary>
    [Alias("reassign")]
    Task<AdminResult> ReassignAsync(int partition, IReadOnlyList<string> replicas, CancellationToken cancellationToken = default);

    /// <summary>Deletes the topic, its partitions' data, and deactivates the partitions.</summary>
    [Alias("delete")]
    Task<AdminResult> DeleteAsync(CancellationToken cancellationToken = default);
}
