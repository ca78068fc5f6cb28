namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the admin client's contract: arguments reach the grains unchanged (replication factor merged into
/// the config), broker failures surface as <see cref="OrleansLogException"/> with the broker's code and
/// message, and invalid topic names fail before any grain is touched.
/// </summary>
public sealed class OrleansLogAdminTests
{
    private readonly FakeGrainFactory _cluster = new();
    private readonly OrleansLogAdmin _admin;

    public OrleansLogAdminTests()
    {
        _admin = new OrleansLogAdmin(_cluster);
    }

    [Fact]
    public async Task CreateTopicAsync_PassesPartitionsAndConfig_WithTheReplicationFactorMergedIn()
    {
        FakeTopic topic = _cluster.AddTopic("orders", 0);
        await _admin.CreateTopicAsync("orders", 6, replicationFactor: 3, new Dictionary<string, string> { [TopicConfigKeys.RetentionMs] = "1000" }, TestContext.Current.CancellationToken);

        (string call, object? argument) = Assert.Single(topic.Grain.Calls);
        Assert.Equal("create", call);
        (int partitions, IReadOnlyDictionary<string, string>? config) = ((int, IReadOnlyDictionary<string, string>?))argument!;
        Assert.Equal(6, partitions);
        Assert.Equal("3", config![TopicConfigKeys.ReplicationFactor]);
        Assert.Equal("1000", config[TopicConfigKeys.RetentionMs]);
    }

    [Fact]
    public async Task CreateTopicAsync_WithContradictingReplicationFactors_Throws()
    {
        _cluster.AddTopic("orders", 0);
        var config = new Dictionary<string, string> { [TopicConfigKeys.ReplicationFactor] = "2" };
        ArgumentException error = await Assert.ThrowsAsync<ArgumentException>(() => _admin.CreateTopicAsync("orders", 1, 3, config, TestContext.Current.CancellationToken));
        Assert.Equal("replicationFactor", error.ParamName);
    }

    [Fact]
    public async Task FailedAdminResult_SurfacesAsOrleansLogException_WithTheBrokersCodeAndMessage()
    {
        FakeTopic topic = _cluster.AddTopic("orders", 1);
        topic.Grain.NextAdminResult = AdminResult.Failure(ErrorCode.TopicAlreadyExists, "Topic 'orders' already exists.");

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.CreateTopicAsync("orders", 1, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.TopicAlreadyExists, error.Error);
        Assert.Equal("Topic 'orders' already exists.", error.Message);
        Assert.False(error.IsRetriable);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("..")]
    public async Task InvalidTopicName_FailsWithInvalidTopic_WithoutCallingAGrain(string name)
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.DeleteTopicAsync(name, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.InvalidTopic, error.Error);
    }

    [Fact]
    public async Task DescribeTopicAsync_OfAMissingTopic_FailsWithUnknownTopicOrPartition()
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.DescribeTopicAsync("ghost", TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
    }

    [Fact]
    public async Task AlterConfigAddPartitionsAndDelete_ReachTheTopicGrain()
    {
        FakeTopic topic = _cluster.AddTopic("orders", 1);
        await _admin.AlterTopicConfigAsync("orders", new Dictionary<string, string> { [TopicConfigKeys.RetentionMs] = "5" }, TestContext.Current.CancellationToken);
        await _admin.AddPartitionsAsync("orders", 4, TestContext.Current.CancellationToken);
        await _admin.DeleteTopicAsync("orders", TestContext.Current.CancellationToken);
        Assert.Equal(["alter-config", "add-partitions", "delete"], topic.Grain.Calls.Select(c => c.Call));
        Assert.Equal(4, topic.Grain.Calls[1].Argument);
    }

    [Fact]
    public async Task ListOffsetsAsync_AnswersForEveryPartition_InPartitionOrder()
    {
        _cluster.AddTopic("orders", 2);
        _cluster.Partition("orders", 1).AppendRecords(("k", "v"), ("k", "w"));
        await _cluster.Partition("orders", 1).DeleteRecordsBeforeAsync(1, TestContext.Current.CancellationToken);

        IReadOnlyList<ListedOffset> earliest = await _admin.ListOffsetsAsync("orders", OffsetSpec.Earliest, TestContext.Current.CancellationToken);
        IReadOnlyList<ListedOffset> latest = await _admin.ListOffsetsAsync("orders", OffsetSpec.Latest, TestContext.Current.CancellationToken);

        Assert.Equal([0L, 1], earliest.Select(o => o.Offset));
        Assert.Equal([0L, 2], latest.Select(o => o.Offset));
        Assert.Equal([0, 1], latest.Select(o => o.TopicPartition.Partition));
    }

    [Fact]
    public async Task ListTopicsAsync_ReturnsTheRegistry()
    {
        _cluster.Registry.Topics.AddRange(["a", "b"]);
        Assert.Equal(["a", "b"], await _admin.ListTopicsAsync(TestContext.Current.CancellationToken));
    }
}
