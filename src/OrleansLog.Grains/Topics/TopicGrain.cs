using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using OrleansLog.Grains.Cluster;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Placement;

namespace OrleansLog.Grains.Topics;

/// <summary>
/// A topic's metadata (key: the topic name): existence, partition count, configuration and the replica
/// assignment that binds each partition to the nodes holding its log, kept in durable grain state.
/// Validates every request before changing anything, so a rejected request leaves the topic exactly as
/// it was. Topic-wide operations that fan out to partitions tolerate partitions whose node is down: the
/// topic's state is the truth those partitions read when they come back.
/// </summary>
[GrainType("olog-topic")]
internal sealed partial class TopicGrain(
    [PersistentState("topic", Hosting.OrleansLogOptions.StorageName)] IPersistentState<TopicState> state,
    ClusterNodes nodes,
    NodeIdentity node,
    IOptions<Hosting.OrleansLogOptions> options,
    TimeProvider timeProvider,
    ILogger<TopicGrain> logger) : Grain, ITopicGrain
{
    /// <summary>How long describe waits for one partition before reporting it unavailable.</summary>
    private static readonly TimeSpan PartitionDescribeTimeout = TimeSpan.FromSeconds(3);

    private string Name => this.GetPrimaryKeyString();

    public async Task<AdminResult> CreateAsync(int partitions, IReadOnlyDictionary<string, string>? config, CancellationToken cancellationToken = default)
    {
        if (TopicName.Validate(Name) is { } invalid)
        {
            return AdminResult.Failure(ErrorCode.InvalidTopic, invalid);
        }

        if (state.State.Exists)
        {
            return AdminResult.Failure(ErrorCode.TopicAlreadyExists, $"topic '{Name}' already exists");
        }

        if (partitions <= 0)
        {
            return AdminResult.Failure(ErrorCode.InvalidPartitions, $"topic '{Name}': number of partitions must be at least 1, was {partitions}");
        }

        var (parsed, result) = TopicConfigParser.Apply(TopicConfig.Default, config);
        if (parsed is null)
        {
            return AdminResult.Failure(result.Error, $"topic '{Name}': {result.Message}");
        }

        IReadOnlyList<string> liveNodes = LiveNodes();
        if (parsed.ReplicationFactor > liveNodes.Count)
        {
            return AdminResult.Failure(
                ErrorCode.InvalidReplicationFactor,
                $"topic '{Name}': replication factor {parsed.ReplicationFactor} is larger than the {liveNodes.Count} live nodes ({string.Join(", ", liveNodes)})");
        }

        if (PartitionLimits.Check(Name, partitions, [], new Dictionary<string, int>(), options.Value.MaxPartitionsPerTopic, options.Value.MaxPartitionsPerNode) is { } tooMany)
        {
            // Checked before assigning: a huge count must not cost an assignment of that size.
            return tooMany;
        }

        // A random start per topic, as Kafka does, so many small topics do not all lead on one node.
        int start = Random.Shared.Next(liveNodes.Count);
        string[][] assignment = ReplicaAssignor.Assign(liveNodes, partitions, parsed.ReplicationFactor, start, Random.Shared.Next(liveNodes.Count));
        if (PartitionLimits.Check(Name, partitions, assignment, await ReplicasPerNodeAsync(cancellationToken), options.Value.MaxPartitionsPerTopic, options.Value.MaxPartitionsPerNode) is { } refused)
        {
            return refused;
        }

        state.State = new TopicState
        {
            Exists = true,
            PartitionCount = partitions,
            Config = parsed,
            CreatedAtMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            TopicId = Guid.NewGuid(),
            ReplicaAssignment = assignment,
        };
        await state.WriteStateAsync(cancellationToken);
        await GrainFactory.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).RegisterAsync(Name, cancellationToken);
        LogCreated(logger, Name, partitions);
        return AdminResult.Ok;
    }

    public Task<TopicMetadata> GetMetadataAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new TopicMetadata(
            Name, state.State.Exists, state.State.PartitionCount, state.State.Config, state.State.ReplicaAssignment, state.State.TopicId));

    public async Task<DescribeTopicResult> DescribeAsync(CancellationToken cancellationToken = default)
    {
        if (!state.State.Exists)
        {
            return new DescribeTopicResult(ErrorCode.UnknownTopicOrPartition, $"topic '{Name}' does not exist", null);
        }

        var calls = new Task<PartitionDescription>[state.State.PartitionCount];
        for (int p = 0; p < calls.Length; p++)
        {
            calls[p] = DescribePartitionAsync(p, cancellationToken);
        }

        PartitionDescription[] partitions = await Task.WhenAll(calls);
        return new DescribeTopicResult(
            ErrorCode.None, null, new TopicDescription(Name, state.State.Config.ToDictionary(), partitions));
    }

    public async Task<AdminResult> AlterConfigAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken = default)
    {
        if (!state.State.Exists)
        {
            return AdminResult.Failure(ErrorCode.UnknownTopicOrPartition, $"topic '{Name}' does not exist");
        }

        if (config.ContainsKey(TopicConfigKeys.ReplicationFactor))
        {
            return AdminResult.Failure(
                ErrorCode.InvalidConfig,
                $"topic '{Name}': {TopicConfigKeys.ReplicationFactor} cannot be altered; reassign the partitions' replicas instead");
        }

        var (parsed, result) = TopicConfigParser.Apply(state.State.Config, config);
        if (parsed is null)
        {
            return AdminResult.Failure(result.Error, $"topic '{Name}': {result.Message}");
        }

        state.State.Config = parsed;
        await state.WriteStateAsync(cancellationToken);
        var calls = new Task[state.State.PartitionCount];
        for (int p = 0; p < calls.Length; p++)
        {
            calls[p] = TolerateUnavailableAsync(p, PartitionGrain(p).ApplyConfigAsync(parsed, cancellationToken));
        }

        await Task.WhenAll(calls);
        LogAltered(logger, Name, string.Join(", ", config.Keys));
        return AdminResult.Ok;
    }

    public async Task<AdminResult> AddPartitionsAsync(int totalPartitions, CancellationToken cancellationToken = default)
    {
        if (!state.State.Exists)
        {
            return AdminResult.Failure(ErrorCode.UnknownTopicOrPartition, $"topic '{Name}' does not exist");
        }

        if (totalPartitions <= state.State.PartitionCount)
        {
            return AdminResult.Failure(
                ErrorCode.InvalidPartitions,
                $"topic '{Name}' has {state.State.PartitionCount} partitions; the new count must be larger, was {totalPartitions}");
        }

        int before = state.State.PartitionCount;
        if (PartitionLimits.Check(Name, totalPartitions, [], new Dictionary<string, int>(), options.Value.MaxPartitionsPerTopic, options.Value.MaxPartitionsPerNode) is { } tooMany)
        {
            return tooMany;
        }

        string[][] assignment = state.State.ReplicaAssignment;
        if (assignment.Length == before && before > 0)
        {
            // Kafka's CreatePartitions: continue the existing pattern from partition 0's leader.
            IReadOnlyList<string> liveNodes = LiveNodes();
            int replicationFactor = assignment[0].Length;
            if (replicationFactor > liveNodes.Count)
            {
                return AdminResult.Failure(
                    ErrorCode.InvalidReplicationFactor,
                    $"topic '{Name}': its replication factor {replicationFactor} is larger than the {liveNodes.Count} live nodes ({string.Join(", ", liveNodes)})");
            }

            int start = Math.Max(0, IndexOf(liveNodes, assignment[0][0]));
            string[][] added = ReplicaAssignor.Assign(liveNodes, totalPartitions - before, replicationFactor, start, start, startPartition: before);
            if (PartitionLimits.Check(Name, totalPartitions, added, await ReplicasPerNodeAsync(cancellationToken), options.Value.MaxPartitionsPerTopic, options.Value.MaxPartitionsPerNode) is { } refused)
            {
                return refused;
            }

            state.State.ReplicaAssignment = [.. assignment, .. added];
        }

        state.State.PartitionCount = totalPartitions;
        await state.WriteStateAsync(cancellationToken);
        LogPartitionsAdded(logger, Name, before, totalPartitions);
        return AdminResult.Ok;
    }

    public async Task<AdminResult> ReassignAsync(int partition, IReadOnlyList<string> replicas, CancellationToken cancellationToken = default)
    {
        if (!state.State.Exists)
        {
            return AdminResult.Failure(ErrorCode.UnknownTopicOrPartition, $"topic '{Name}' does not exist");
        }

        if (partition < 0 || partition >= state.State.PartitionCount)
        {
            return AdminResult.Failure(
                ErrorCode.UnknownTopicOrPartition, $"topic '{Name}' has {state.State.PartitionCount} partitions; partition {partition} does not exist");
        }

        if (partition >= state.State.ReplicaAssignment.Length)
        {
            return AdminResult.Failure(
                ErrorCode.InvalidReplicaAssignment, $"{Name}-{partition} is not bound to nodes (created before replica assignments existed) and cannot be reassigned");
        }

        IReadOnlyList<string> live = LiveNodes();
        string? problem = replicas.Count == 0 ? "at least one replica is needed"
            : replicas.Distinct(StringComparer.Ordinal).Count() != replicas.Count ? "a node is named twice"
            : replicas.FirstOrDefault(r => IndexOf(live, r) < 0) is { } unknown ? $"node '{unknown}' is not a live node ({string.Join(", ", live)})"
            : replicas.Count < state.State.Config.MinInSyncReplicas ? $"{replicas.Count} replicas are fewer than min.insync.replicas={state.State.Config.MinInSyncReplicas}"
            : null;
        if (problem is not null)
        {
            return AdminResult.Failure(ErrorCode.InvalidReplicaAssignment, $"{Name}-{partition}: replicas [{string.Join(",", replicas)}]: {problem}");
        }

        AdminResult started = await PartitionGrain(partition).ReassignAsync(replicas, cancellationToken);
        if (!started.IsSuccess)
        {
            return started;
        }

        // The partition's replication record drives the move; the assignment records where it ends up.
        state.State.ReplicaAssignment[partition] = [.. replicas];
        await state.WriteStateAsync(cancellationToken);
        LogReassigned(logger, Name, partition, string.Join(",", replicas));
        return AdminResult.Ok;
    }

    public async Task<AdminResult> DeleteAsync(CancellationToken cancellationToken = default)
    {
        if (!state.State.Exists)
        {
            return AdminResult.Failure(ErrorCode.UnknownTopicOrPartition, $"topic '{Name}' does not exist");
        }

        int count = state.State.PartitionCount;
        state.State.Exists = false;
        await state.WriteStateAsync(cancellationToken);
        var calls = new Task[count];
        for (int p = 0; p < count; p++)
        {
            calls[p] = TolerateUnavailableAsync(p, PartitionGrain(p).DeletePartitionAsync(cancellationToken));
        }

        await Task.WhenAll(calls);
        await ForgetGroupOffsetsAsync(cancellationToken);
        await state.ClearStateAsync(cancellationToken);
        await GrainFactory.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).UnregisterAsync(Name, cancellationToken);
        LogDeleted(logger, Name, count);
        return AdminResult.Ok;
    }

    /// <summary>
    /// The partition replicas each node holds: this topic's, and every other registered topic's (asked of
    /// each topic; an admin call, not a hot path).
    /// </summary>
    private async Task<Dictionary<string, int>> ReplicasPerNodeAsync(CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        void Count(IEnumerable<IReadOnlyList<string>> assignment)
        {
            foreach (IReadOnlyList<string> replicas in assignment)
            {
                foreach (string replica in replicas)
                {
                    held[replica] = held.GetValueOrDefault(replica) + 1;
                }
            }
        }

        if (state.State.Exists)
        {
            Count(state.State.ReplicaAssignment);
        }

        IReadOnlyList<string> topics = await GrainFactory.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).ListAsync(cancellationToken);
        TopicMetadata[] others = await Task.WhenAll(topics.Where(t => t != Name).Select(t => GrainFactory.GetGrain<ITopicGrain>(t).GetMetadataAsync(cancellationToken)));
        foreach (TopicMetadata other in others)
        {
            if (other.Exists && other.ReplicaAssignment is { } assignment)
            {
                Count(assignment);
            }
        }

        return held;
    }

    /// <summary>Every consumer group forgets its committed offsets of this topic (Kafka does on deletion).</summary>
    private async Task ForgetGroupOffsetsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> groups = await GrainFactory.GetGrain<OrleansLog.Groups.IGroupRegistryGrain>(OrleansLog.Groups.IGroupRegistryGrain.Key).ListAsync(cancellationToken);
        await Task.WhenAll(groups.Select(async group =>
        {
            try
            {
                await GrainFactory.GetGrain<OrleansLog.Groups.IGroupCoordinatorGrain>(group).ForgetTopicAsync(Name, cancellationToken);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException)
            {
                LogGroupOffsetsKept(logger, ex, Name, group);
            }
        }));
    }

    private IPartitionGrain PartitionGrain(int partition) =>
        GrainFactory.GetGrain<IPartitionGrain>(new TopicPartition(Name, partition).ToGrainKey());

    /// <summary>Active node ids in ordinal order; this node alone while membership has not listed it yet.</summary>
    private IReadOnlyList<string> LiveNodes()
    {
        IReadOnlyList<string> live = nodes.ActiveNodeIds();
        return live.Count > 0 ? live : [node.NodeId];
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// A partition's description, or — when its node cannot be reached (it died and membership has not
    /// declared it dead yet) — what the topic knows: where the partition lives, and LeaderNotAvailable.
    /// </summary>
    private async Task<PartitionDescription> DescribePartitionAsync(int partition, CancellationToken cancellationToken)
    {
        // Orleans does not fail a call in flight to a silo that was killed until its 30 s response timeout;
        // describing a cluster that just lost a node is when an operator needs describe most.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PartitionDescribeTimeout);
        try
        {
            return await PartitionGrain(partition).DescribeAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException
            || (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            LogPartitionUnreachable(logger, ex, Name, partition);
            string[] replicas = partition < state.State.ReplicaAssignment.Length ? state.State.ReplicaAssignment[partition] : [];
            return new PartitionDescription(
                partition, replicas.Length > 0 ? replicas[0] : string.Empty, replicas, [], -1, -1, -1, -1, 0, ErrorCode.LeaderNotAvailable);
        }
    }

    /// <summary>
    /// Waits for a call to a partition, logging instead of failing when the partition's node cannot be
    /// reached: the topic's state is already written, and the partition reads it when it opens again.
    /// </summary>
    private async Task TolerateUnavailableAsync(int partition, Task call)
    {
        try
        {
            await call;
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogPartitionUnreachable(logger, ex, Name, partition);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic} was deleted, but group {Group} could not be told to forget its offsets")]
    private static partial void LogGroupOffsetsKept(ILogger logger, Exception exception, string topic, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Topic {Topic}: partition {Partition} could not be reached")]
    private static partial void LogPartitionUnreachable(ILogger logger, Exception exception, string topic, int partition);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions")]
    private static partial void LogCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Altered topic {Topic}: {Keys}")]
    private static partial void LogAltered(ILogger logger, string topic, string keys);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic} grew from {Before} to {After} partitions")]
    private static partial void LogPartitionsAdded(ILogger logger, string topic, int before, int after);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic}: reassignment of partition {Partition} to [{Replicas}] started")]
    private static partial void LogReassigned(ILogger logger, string topic, int partition, string replicas);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted topic {Topic} and its {Partitions} partitions")]
    private static partial void LogDeleted(ILogger logger, string topic, int partitions);
}
