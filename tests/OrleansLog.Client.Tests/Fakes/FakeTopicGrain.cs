using OrleansLog.Grains;

namespace OrleansLog.Client.Tests;

/// <summary>A topic grain fake: metadata from the fake topic; admin calls return scripted results.</summary>
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
            : new DescribeTopicResult(ErrorCode.None, null, new TopicDescription(name, TopicConfig.Default.ToDictionary(), [])));

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

    public Task<AdminResult> DeleteAsync(CancellationToken cancellationToken = default)
    {
        Calls.Add(("delete", null));
        return Task.FromResult(NextAdminResult);
    }
}
