using OrleansLog.Groups;

namespace OrleansLog.Client;

/// <summary>
/// Topic and consumer-group administration (Kafka's Admin client): create, list, describe, delete, alter
/// configuration, add partitions, reassign replicas, list offsets; rebalance the cluster; list, describe,
/// reset the offsets of and delete groups. Every method throws <see cref="OrleansLogException"/> carrying
/// the broker's error code and message when the operation fails (InvalidTopic, TopicAlreadyExists,
/// InvalidPartitions, InvalidConfig, InvalidReplicaAssignment, ReassignmentInProgress,
/// UnknownTopicOrPartition, GroupIdNotFound, NonEmptyGroup, ...).
/// </summary>
public interface IOrleansLogAdmin
{
    /// <summary>
    /// Creates a topic. <paramref name="replicationFactor"/>, when given, is the topic's
    /// <c>replication.factor</c>; <paramref name="config"/> holds other overrides in Kafka's spelling
    /// (see <see cref="TopicConfigKeys"/>).
    /// </summary>
    Task CreateTopicAsync(string topic, int partitions, short? replicationFactor = null, IReadOnlyDictionary<string, string>? config = null, CancellationToken cancellationToken = default);

    /// <summary>The names of all topics.</summary>
    Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default);

    /// <summary>The topic's effective configuration and its partitions' offsets and replicas.</summary>
    Task<TopicDescription> DescribeTopicAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>Whether the topic exists, its partition count and typed configuration.</summary>
    Task<TopicMetadata> GetTopicMetadataAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>Deletes the topic and all its data.</summary>
    Task DeleteTopicAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>Applies configuration overrides, all or nothing.</summary>
    Task AlterTopicConfigAsync(string topic, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken = default);

    /// <summary>Raises the partition count to <paramref name="totalPartitions"/> (Kafka CreatePartitions); it never shrinks.</summary>
    Task AddPartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts moving <paramref name="partition"/>'s replicas to <paramref name="replicas"/>, node ids with the
    /// preferred leader first (Kafka AlterPartitionReassignments). Returns once the move has started; the
    /// partition keeps serving while new replicas catch up, and <see cref="DescribeTopicAsync"/> shows the
    /// target in <see cref="PartitionDescription.TargetReplicas"/> until it is done. InvalidReplicaAssignment
    /// for an empty list, a blank or repeated node id (checked before any grain is called) or an unknown
    /// node; ReassignmentInProgress while the partition is already moving.
    /// </summary>
    Task ReassignPartitionAsync(string topic, int partition, IReadOnlyList<string> replicas, CancellationToken cancellationToken = default);

    /// <summary>
    /// Spreads every topic's replicas and preferred leaders evenly over the live nodes (for example after a
    /// node joined) and starts a reassignment for each partition whose replicas change. Returns the moves
    /// in topic and partition order, empty when the cluster is already balanced. A move whose
    /// <see cref="ReplicaMove.Error"/> is not None did not start (e.g. ReassignmentInProgress); the others did.
    /// Throws when the rebalance as a whole was refused.
    /// </summary>
    Task<IReadOnlyList<ReplicaMove>> RebalanceClusterAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Kafka ListOffsets for one partition: <paramref name="offsetSpec"/> is <see cref="OffsetSpec.Earliest"/>
    /// (log start offset), <see cref="OffsetSpec.Latest"/> (log end offset) or a timestamp in Unix
    /// milliseconds (the first offset whose timestamp is at or after it; offset -1 when there is none).
    /// </summary>
    Task<ListedOffset> ListOffsetAsync(TopicPartition partition, long offsetSpec, CancellationToken cancellationToken = default);

    /// <summary>ListOffsets for every partition of <paramref name="topic"/>, in partition order.</summary>
    Task<IReadOnlyList<ListedOffset>> ListOffsetsAsync(string topic, long offsetSpec, CancellationToken cancellationToken = default);

    /// <summary>Kafka DeleteRecords: advances the partition's log start offset to <paramref name="beforeOffset"/>.</summary>
    Task DeleteRecordsAsync(TopicPartition partition, long beforeOffset, CancellationToken cancellationToken = default);

    /// <summary>The ids of all consumer groups.</summary>
    Task<IReadOnlyList<string>> ListGroupsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A group's state, assignor, generation, members with their partitions, and per partition the committed
    /// offset, high watermark and lag. GroupIdNotFound for a group that never existed.
    /// </summary>
    Task<GroupDescription> DescribeGroupAsync(string groupId, CancellationToken cancellationToken = default);

    /// <summary>The group's committed offsets of every partition it has one for (Kafka OffsetFetch).</summary>
    Task<IReadOnlyList<CommittedOffset>> ListGroupOffsetsAsync(string groupId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves the group's committed offsets of every partition of <paramref name="topic"/> (Kafka's
    /// kafka-consumer-groups --reset-offsets). Only while the group has no members: NonEmptyGroup otherwise.
    /// </summary>
    Task ResetGroupOffsetsAsync(string groupId, string topic, OffsetResetSpec spec, CancellationToken cancellationToken = default);

    /// <summary>Deletes an empty group and its committed offsets (NonEmptyGroup while it has members, GroupIdNotFound if unknown).</summary>
    Task DeleteGroupAsync(string groupId, CancellationToken cancellationToken = default);
}
