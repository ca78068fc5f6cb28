using OrleansLog.Grains;

namespace OrleansLog.Client.Tests;

/// <summary>
/// A topic grain fake: metadata and description from the fake topic; admin calls return scripted results,
/// except a reassignment, which is validated like the real grain does and handed to the partition.
/// </summary>
internal sealed class FakeTopicGrain(string name, FakeTopic? topic) : ITopicGrain
{
    /// <summary>Answer of every admin call; tests set failures here.</summary>
    public AdminResult NextAdminResult { get; set; } = AdminResult.Ok;

    public List<(string Call, object? Argument)> Calls { get; } = [];

    public int MetadataReads { get; private set; }

    public Task<AdminResult> CreateAsync(int partitions, IReadOnlyDictionary<string, string>? config, CancellationToken cancellationToken = default)
    {
        Calls.Add(("create", (partitions, config)));
        return Task.FromResult(NextAdminResult);
    }

    public Task<TopicMetadata> GetMetadataAsync(CancellationToken cancellationToken = default)
    {
        MetadataReads++;
        return Task.FromResult(topic is null
            ? new TopicMetadata(name, false, 0, TopicConfig.Default)
            : new TopicMetadata(name, true, topic.Partitions.Count, TopicConfig.Default));
    }

    public Task<DescribeTopicResult> DescribeAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(topic is null
            ? new DescribeTopicResult(ErrorCode.UnknownTopicOrPartition, $"Topic '{name}' does not exist.", null)
            : new DescribeTopicResult(ErrorCode.None, null, new TopicDescription(name, TopicConfig.Default.ToDictionary(), [.. topic.Partitions.Select(static p => p.Describe())])));

    public Task<AdminResult> AlterConfigAsync(IReadOnlyDictionary<string, string> config, CancellationToken cancellationToken = default)
    {
        Calls.Add(("alter-config", config));
        return Task.FromResult(NextAdminResult);
    }

    public Task<AdminResult> AddPartitionsAsync(int totalPartitions, CancellationToken cancellationToken = default)
    {
        Calls.Add(("add-partitions", totalPartitions));
        return Task.FromResult(NextAdminResult);
    }

    /// <summary>
    /// A scripted failure in <see cref="NextAdminResult"/> wins; otherwise UnknownTopicOrPartition for a
    /// missing topic or partition, InvalidReplicaAssignment for an empty list, a repeated or unknown node,
    /// and the partition's own answer (ReassignmentInProgress) after that.
    /// </summary>
    public Task<AdminResult> ReassignAsync(int partition, IReadOnlyList<string> replicas, CancellationToken cancellationToken = default)
    {
        Calls.Add(("reassign", (partition, replicas)));
        if (!NextAdminResult.IsSuccess)
        {
            return Task.FromResult(NextAdminResult);
        }

        if (topic is null || partition < 0 || partition >= topic.Partitions.Count)
        {
            return Task.FromResult(AdminResult.Failure(ErrorCode.UnknownTopicOrPartition, $"{name}-{partition} does not exist."));
        }

        if (replicas.Count == 0 || replicas.Distinct(StringComparer.Ordinal).Count() != replicas.Count)
        {
            return Task.FromResult(AdminResult.Failure(ErrorCode.InvalidReplicaAssignment, $"{name}-{partition}: [{string.Join(',', replicas)}] is empty or names a node twice."));
        }

        if (replicas.FirstOrDefault(r => !topic.Nodes.Contains(r, StringComparer.Ordinal)) is { } unknown)
        {
            return Task.FromResult(AdminResult.Failure(ErrorCode.InvalidReplicaAssignment, $"{name}-{partition}: node '{unknown}' is not in the cluster [{string.Join(',', topic.Nodes)}]."));
        }

        return topic.Partitions[partition].ReassignAsync(replicas, cancellationToken);
    }

    public Task<AdminResult> DeleteAsync(CancellationToken cancellationToken = default)
    {
        Calls.Add(("delete", null));
        return Task.FromResult(NextAdminResult);
    }
}
