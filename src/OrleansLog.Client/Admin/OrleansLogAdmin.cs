using OrleansLog.Grains;
using OrleansLog.Groups;

namespace OrleansLog.Client;

/// <summary>
/// <see cref="IOrleansLogAdmin"/> over the topic, topic-registry, partition, cluster, group-coordinator and
/// group-registry grains. Stateless and thread-safe; works from an external Orleans client and inside a silo.
/// </summary>
public sealed class OrleansLogAdmin : IOrleansLogAdmin
{
    private readonly IGrainFactory _grainFactory;

    public OrleansLogAdmin(IGrainFactory grainFactory)
    {
        ArgumentNullException.ThrowIfNull(grainFactory);
        _grainFactory = grainFactory;
    }

    public async Task CreateTopicAsync(string topic, int partitions, short? replicationFactor = null, IReadOnlyDictionary<string, string>? config = null, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(topic);
        IReadOnlyDictionary<string, string>? effective = config;
        if (replicationFactor is { } factor)
        {
            string value = factor.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (config is not null && config.TryGetValue(TopicConfigKeys.ReplicationFactor, out string? configured) && configured.Trim() != value)
            {
                throw new ArgumentException(
                    $"replicationFactor {factor} contradicts config {TopicConfigKeys.ReplicationFactor}={configured}; give one of them.",
                    nameof(replicationFactor));
            }

            var merged = config is null
                ? new Dictionary<string, string>(StringComparer.Ordinal)
                : new Dictionary<string, string>(config, StringComparer.Ordinal);
            merged[TopicConfigKeys.ReplicationFactor] = value;
            effective = merged;
        }

        ThrowIfFailed(await Topic(topic).CreateAsync(partitions, effective, cancellationToken));
    }

    public Task<IReadOnlyList<string>> ListTopicsAsync(CancellationToken cancellationToken = default) =>
        _grainFactory.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).ListAsync(cancellationToken);

    public async Task<TopicDescription> DescribeTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(topic);
        DescribeTopicResult result = await Topic(topic).DescribeAsync(cancellationToken);
        if (result.Error != ErrorCode.None || result.Topic is null)
        {
            ErrorCode error = result.Error == ErrorCode.None ? ErrorCode.UnknownTopicOrPartition : result.Error;
            throw new OrleansLogException(error, result.Message ?? $"Topic '{topic}' does not exist.");
        }

        return result.Topic;
    }

    public async Task<TopicMetadata> GetTopicMetadataAsync(string topic, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(topic);
        TopicMetadata metadata = await Topic(topic).GetMetadataAsync(cancellationToken);
        if (!metadata.Exists)
        {
            throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"Topic '{topic}' does not exist.");
        }

        return metadata;
    }

    public async Task DeleteTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(topic);
        ThrowIfFailed(await Topic(topic).DeleteAsync(cancellationToken));
    }

    public async Task AlterTopicConfigAsync(string topic, IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(topic);
        ArgumentNullException.ThrowIfNull(config);
        ThrowIfFailed(await Topic(topic).AlterConfigAsync(config, cancellationToken));
    }

    public async Task AddPartitionsAsync(string topic, int totalPartitions, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(topic);
        ThrowIfFailed(await Topic(topic).AddPartitionsAsync(totalPartitions, cancellationToken));
    }

    public async Task ReassignPartitionAsync(string topic, int partition, IReadOnlyList<string> replicas, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(topic);
        ArgumentNullException.ThrowIfNull(replicas);
        if (partition < 0)
        {
            throw new OrleansLogException(ErrorCode.UnknownTopicOrPartition, $"{topic}-{partition} does not exist: partitions are numbered from 0.");
        }

        ThrowIfInvalidReplicas(topic, partition, replicas);
        ThrowIfFailed(await Topic(topic).ReassignAsync(partition, replicas, cancellationToken));
    }

    public async Task<IReadOnlyList<ReplicaMove>> RebalanceClusterAsync(CancellationToken cancellationToken = default)
    {
        RebalanceResult result = await _grainFactory.GetGrain<IClusterGrain>(IClusterGrain.Key).RebalanceAsync(cancellationToken);
        if (result.Error != ErrorCode.None)
        {
            throw new OrleansLogException(result.Error, result.Message ?? $"Rebalancing the cluster failed with {result.Error}.");
        }

        return result.Moves ?? [];
    }

    public async Task<ListedOffset> ListOffsetAsync(TopicPartition partition, long offsetSpec, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(partition.Topic);
        ListOffsetsResult result = await _grainFactory.GetGrain<IPartitionGrain>(partition.ToGrainKey()).ListOffsetsAsync(offsetSpec, cancellationToken);
        if (result.Error != ErrorCode.None)
        {
            throw new OrleansLogException(result.Error, result.Message ?? $"Listing offsets of {partition} failed with {result.Error}.");
        }

        return new ListedOffset(partition, result.Offset, result.Timestamp);
    }

    public async Task<IReadOnlyList<ListedOffset>> ListOffsetsAsync(string topic, long offsetSpec, CancellationToken cancellationToken = default)
    {
        TopicMetadata metadata = await GetTopicMetadataAsync(topic, cancellationToken);
        var queries = new Task<ListedOffset>[metadata.PartitionCount];
        for (int partition = 0; partition < queries.Length; partition++)
        {
            queries[partition] = ListOffsetAsync(new TopicPartition(topic, partition), offsetSpec, cancellationToken);
        }

        return await Task.WhenAll(queries);
    }

    public async Task DeleteRecordsAsync(TopicPartition partition, long beforeOffset, CancellationToken cancellationToken = default)
    {
        ThrowIfInvalidName(partition.Topic);
        ThrowIfFailed(await _grainFactory.GetGrain<IPartitionGrain>(partition.ToGrainKey()).DeleteRecordsBeforeAsync(beforeOffset, cancellationToken));
    }

    public Task<IReadOnlyList<string>> ListGroupsAsync(CancellationToken cancellationToken = default) =>
        _grainFactory.GetGrain<IGroupRegistryGrain>(IGroupRegistryGrain.Key).ListAsync(cancellationToken);

    public async Task<GroupDescription> DescribeGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        (ErrorCode error, GroupDescription? group) = await Group(groupId).DescribeAsync(cancellationToken);
        if (error != ErrorCode.None || group is null)
        {
            throw new OrleansLogException(error == ErrorCode.None ? ErrorCode.GroupIdNotFound : error, $"Group '{groupId}' does not exist.");
        }

        return group;
    }

    public Task<IReadOnlyList<CommittedOffset>> ListGroupOffsetsAsync(string groupId, CancellationToken cancellationToken = default) =>
        Group(groupId).FetchOffsetsAsync(null, cancellationToken);

    public async Task ResetGroupOffsetsAsync(string groupId, string topic, OffsetResetSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        IGroupCoordinatorGrain group = Group(groupId);
        ThrowIfInvalidName(topic);
        ThrowIfFailed(await group.ResetOffsetsAsync(topic, spec, cancellationToken));
    }

    public async Task DeleteGroupAsync(string groupId, CancellationToken cancellationToken = default) =>
        ThrowIfFailed(await Group(groupId).DeleteAsync(cancellationToken));

    private ITopicGrain Topic(string topic) => _grainFactory.GetGrain<ITopicGrain>(topic);

    /// <summary>Kafka refuses an empty group id (InvalidGroupId); it is checked before it becomes a grain key.</summary>
    private IGroupCoordinatorGrain Group(string groupId)
    {
        if (string.IsNullOrWhiteSpace(groupId))
        {
            throw new OrleansLogException(ErrorCode.InvalidGroupId, "A group id must not be empty or blank.");
        }

        return _grainFactory.GetGrain<IGroupCoordinatorGrain>(groupId);
    }

    private static void ThrowIfFailed(AdminResult result)
    {
        if (!result.IsSuccess)
        {
            throw new OrleansLogException(result.Error, result.Message);
        }
    }

    /// <summary>
    /// The checks that need no cluster: Kafka's AlterPartitionReassignments refuses an empty replica list and
    /// repeated brokers the same way (InvalidReplicaAssignment). Whether the nodes exist is the topic grain's call.
    /// </summary>
    private static void ThrowIfInvalidReplicas(string topic, int partition, IReadOnlyList<string> replicas)
    {
        if (replicas.Count == 0)
        {
            throw new OrleansLogException(ErrorCode.InvalidReplicaAssignment, $"Reassigning {topic}-{partition} needs at least one replica.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < replicas.Count; i++)
        {
            string? node = replicas[i];
            if (string.IsNullOrWhiteSpace(node))
            {
                throw new OrleansLogException(ErrorCode.InvalidReplicaAssignment, $"Reassigning {topic}-{partition}: replica {i} is an empty node id.");
            }

            if (!seen.Add(node))
            {
                throw new OrleansLogException(ErrorCode.InvalidReplicaAssignment, $"Reassigning {topic}-{partition}: node '{node}' is listed twice in [{string.Join(',', replicas)}].");
            }
        }
    }

    /// <summary>
    /// Checks Kafka's name rules before the name becomes a grain key, so a name like "a/b" never activates
    /// a grain (it would also be ambiguous in "{topic}/{partition}" partition keys).
    /// </summary>
    private static void ThrowIfInvalidName(string topic)
    {
        if (TopicName.Validate(topic) is { } problem)
        {
            throw new OrleansLogException(ErrorCode.InvalidTopic, problem);
        }
    }
}
