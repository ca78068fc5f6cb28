using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace OrleansLog.Grains.Topics;

/// <summary>
/// A topic's metadata (key: the topic name): existence, partition count and configuration, kept in
/// durable grain state. Validates every request before changing anything, so a rejected request leaves
/// the topic exactly as it was.
/// </summary>
[GrainType("olog-topic")]
internal sealed partial class TopicGrain(
    [PersistentState("topic", Hosting.OrleansLogOptions.StorageName)] IPersistentState<TopicState> state,
    IClusterMembershipService membership,
    TimeProvider timeProvider,
    ILogger<TopicGrain> logger) : Grain, ITopicGrain
{
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

        int liveNodes = LiveNodeCount();
        if (parsed.ReplicationFactor > liveNodes)
        {
            return AdminResult.Failure(
                ErrorCode.InvalidReplicationFactor,
                $"topic '{Name}': replication factor {parsed.ReplicationFactor} is larger than the {liveNodes} live nodes");
        }

        state.State = new TopicState
        {
            Exists = true,
            PartitionCount = partitions,
            Config = parsed,
            CreatedAtMs = timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        await state.WriteStateAsync(cancellationToken);
        await GrainFactory.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).RegisterAsync(Name, cancellationToken);
        LogCreated(logger, Name, partitions);
        return AdminResult.Ok;
    }

    public Task<TopicMetadata> GetMetadataAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(new TopicMetadata(Name, state.State.Exists, state.State.PartitionCount, state.State.Config));

    public async Task<DescribeTopicResult> DescribeAsync(CancellationToken cancellationToken = default)
    {
        if (!state.State.Exists)
        {
            return new DescribeTopicResult(ErrorCode.UnknownTopicOrPartition, $"topic '{Name}' does not exist", null);
        }

        var calls = new Task<PartitionDescription>[state.State.PartitionCount];
        for (int p = 0; p < calls.Length; p++)
        {
            calls[p] = PartitionGrain(p).DescribeAsync(cancellationToken);
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
            calls[p] = PartitionGrain(p).ApplyConfigAsync(parsed, cancellationToken);
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
        state.State.PartitionCount = totalPartitions;
        await state.WriteStateAsync(cancellationToken);
        LogPartitionsAdded(logger, Name, before, totalPartitions);
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
            calls[p] = PartitionGrain(p).DeletePartitionAsync(cancellationToken);
        }

        await Task.WhenAll(calls);
        await state.ClearStateAsync(cancellationToken);
        await GrainFactory.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).UnregisterAsync(Name, cancellationToken);
        LogDeleted(logger, Name, count);
        return AdminResult.Ok;
    }

    private IPartitionGrain PartitionGrain(int partition) =>
        GrainFactory.GetGrain<IPartitionGrain>(new TopicPartition(Name, partition).ToGrainKey());

    private int LiveNodeCount()
    {
        int live = 0;
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active)
            {
                live++;
            }
        }

        return Math.Max(1, live);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created topic {Topic} with {Partitions} partitions")]
    private static partial void LogCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Altered topic {Topic}: {Keys}")]
    private static partial void LogAltered(ILogger logger, string topic, string keys);

    [LoggerMessage(Level = LogLevel.Information, Message = "Topic {Topic} grew from {Before} to {After} partitions")]
    private static partial void LogPartitionsAdded(ILogger logger, string topic, int before, int after);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted topic {Topic} and its {Partitions} partitions")]
    private static partial void LogDeleted(ILogger logger, string topic, int partitions);
}
