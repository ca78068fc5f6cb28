namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the admin client's reassignment contract: a valid replica list reaches the topic grain
/// unchanged and the started move shows in describe until it completes; an empty, blank or repeated list
/// and a negative partition fail before any grain is called; broker refusals (unknown node, a move already
/// running, a refused rebalance) surface as <see cref="OrleansLogException"/> with the broker's code and
/// message; a rebalance returns its moves, including those that did not start.
/// </summary>
public sealed class ReassignmentAdminTests
{
    private readonly FakeGrainFactory _cluster = new();
    private readonly OrleansLogAdmin _admin;

    public ReassignmentAdminTests()
    {
        _admin = new OrleansLogAdmin(_cluster);
    }

    [Fact]
    public async Task ReassignPartitionAsync_StartsTheMove_AndDescribeShowsTheTargetUntilItCompletes()
    {
        FakeTopic topic = _cluster.AddTopic("orders", 2);

        await _admin.ReassignPartitionAsync("orders", 1, ["node-2", "node-3"], TestContext.Current.CancellationToken);

        (string call, object? argument) = Assert.Single(topic.Grain.Calls);
        Assert.Equal("reassign", call);
        (int partition, IReadOnlyList<string> replicas) = ((int, IReadOnlyList<string>))argument!;
        Assert.Equal(1, partition);
        Assert.Equal(["node-2", "node-3"], replicas);

        TopicDescription moving = await _admin.DescribeTopicAsync("orders", TestContext.Current.CancellationToken);
        Assert.Null(moving.Partitions[0].TargetReplicas);
        Assert.Equal(["node-1"], moving.Partitions[1].Replicas);
        Assert.Equal(["node-2", "node-3"], moving.Partitions[1].TargetReplicas!);

        topic.Partitions[1].CompleteReassignment();
        PartitionDescription moved = (await _admin.DescribeTopicAsync("orders", TestContext.Current.CancellationToken)).Partitions[1];
        Assert.Equal("node-2", moved.Leader);
        Assert.Equal(1, moved.LeaderEpoch);
        Assert.Equal(["node-2", "node-3"], moved.Replicas);
        Assert.Null(moved.TargetReplicas);
    }

    public static TheoryData<string[], string> InvalidReplicaLists => new()
    {
        { [], "Reassigning orders-0 needs at least one replica." },
        { ["node-1", "node-2", "node-1"], "Reassigning orders-0: node 'node-1' is listed twice in [node-1,node-2,node-1]." },
        { ["node-1", " "], "Reassigning orders-0: replica 1 is an empty node id." },
    };

    [Theory]
    [MemberData(nameof(InvalidReplicaLists))]
    public async Task ReassignPartitionAsync_WithAnInvalidList_FailsWithInvalidReplicaAssignment_WithoutCallingTheGrain(string[] replicas, string expectedMessage)
    {
        FakeTopic topic = _cluster.AddTopic("orders", 1);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.ReassignPartitionAsync("orders", 0, replicas, TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.InvalidReplicaAssignment, error.Error);
        Assert.Equal(expectedMessage, error.Message);
        Assert.Empty(topic.Grain.Calls);
    }

    [Fact]
    public async Task ReassignPartitionAsync_OfANegativePartition_FailsWithUnknownTopicOrPartition_WithoutCallingTheGrain()
    {
        FakeTopic topic = _cluster.AddTopic("orders", 1);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.ReassignPartitionAsync("orders", -1, ["node-1"], TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
        Assert.Equal("orders--1 does not exist: partitions are numbered from 0.", error.Message);
        Assert.Empty(topic.Grain.Calls);
    }

    [Fact]
    public async Task ReassignPartitionAsync_ToAnUnknownNode_SurfacesTheBrokersInvalidReplicaAssignment()
    {
        _cluster.AddTopic("orders", 1);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.ReassignPartitionAsync("orders", 0, ["node-1", "node-9"], TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.InvalidReplicaAssignment, error.Error);
        Assert.Equal("orders-0: node 'node-9' is not in the cluster [node-1,node-2,node-3].", error.Message);
    }

    [Fact]
    public async Task ReassignPartitionAsync_WhileAMoveRuns_FailsWithReassignmentInProgress_AndKeepsTheFirstTarget()
    {
        FakeTopic topic = _cluster.AddTopic("orders", 1);
        await _admin.ReassignPartitionAsync("orders", 0, ["node-2"], TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.ReassignPartitionAsync("orders", 0, ["node-3"], TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.ReassignmentInProgress, error.Error);
        Assert.Equal("orders-0 is already moving from [node-1] to [node-2]", error.Message);
        Assert.False(error.IsRetriable);
        Assert.Equal(["node-2"], topic.Partitions[0].TargetReplicas!);
    }

    [Fact]
    public async Task ReassignPartitionAsync_OfAMissingTopic_FailsWithUnknownTopicOrPartition()
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.ReassignPartitionAsync("ghost", 0, ["node-1"], TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
        Assert.Equal("ghost-0 does not exist.", error.Message);
    }

    [Fact]
    public async Task RebalanceClusterAsync_ReturnsEveryMove_IncludingThoseThatDidNotStart()
    {
        ReplicaMove started = new("orders", 0, ["node-1", "node-2"], ["node-3", "node-1"], ErrorCode.None);
        ReplicaMove refused = new("orders", 1, ["node-1", "node-2"], ["node-2", "node-3"], ErrorCode.ReassignmentInProgress);
        _cluster.Cluster.NextRebalanceResult = new RebalanceResult(ErrorCode.None, null, [started, refused]);

        IReadOnlyList<ReplicaMove> moves = await _admin.RebalanceClusterAsync(TestContext.Current.CancellationToken);

        Assert.Equal([started, refused], moves);
        Assert.Equal(1, _cluster.Cluster.RebalanceCalls);
    }

    [Fact]
    public async Task RebalanceClusterAsync_OfABalancedCluster_ReturnsNoMoves()
    {
        Assert.Empty(await _admin.RebalanceClusterAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RebalanceClusterAsync_Refused_ThrowsWithTheBrokersCodeAndMessage()
    {
        _cluster.Cluster.NextRebalanceResult = new RebalanceResult(ErrorCode.InvalidReplicationFactor, "Topic 'orders' needs 3 replicas; 2 nodes are live.", []);

        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.RebalanceClusterAsync(TestContext.Current.CancellationToken));

        Assert.Equal(ErrorCode.InvalidReplicationFactor, error.Error);
        Assert.Equal("Topic 'orders' needs 3 replicas; 2 nodes are live.", error.Message);
    }
}
