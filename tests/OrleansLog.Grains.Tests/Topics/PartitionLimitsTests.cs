using OrleansLog.Grains.Topics;
using Xunit;

namespace OrleansLog.Grains.Tests.Topics;

/// <summary>
/// Protects the partition quotas: a topic above the per-topic limit, or a change that would put more replicas
/// on any node than the per-node limit, is refused with InvalidPartitions naming the setting and the numbers;
/// exactly at a limit is allowed.
/// </summary>
public sealed class PartitionLimitsTests
{
    private static readonly Dictionary<string, int> Held = new(StringComparer.Ordinal) { ["A"] = 5, ["B"] = 2 };

    [Fact]
    public void ATopicAboveThePerTopicLimit_IsRefused_NamingIt()
    {
        AdminResult? refused = PartitionLimits.Check("big", 101, [], Held, maxPerTopic: 100, maxPerNode: 1000);

        Assert.NotNull(refused);
        Assert.Equal(ErrorCode.InvalidPartitions, refused.Value.Error);
        Assert.Contains("101 partitions is more than the 100 a topic may have (OrleansLog:MaxPartitionsPerTopic)", refused.Value.Message);
    }

    [Fact]
    public void AChangePuttingTooManyReplicasOnANode_IsRefused_NamingTheNodeAndTheSetting()
    {
        IReadOnlyList<string>[] added = [["A", "B"], ["B", "A"]];

        AdminResult? refused = PartitionLimits.Check("t", 2, added, Held, maxPerTopic: 100, maxPerNode: 6);

        Assert.NotNull(refused);
        Assert.Contains("node 'A' would hold 7 partition replicas (5 now, 2 more), more than the 6 a node may hold (OrleansLog:MaxPartitionsPerNode)", refused.Value.Message);
    }

    [Fact]
    public void ExactlyAtTheLimits_IsAllowed()
    {
        IReadOnlyList<string>[] added = [["A"], ["B"]];

        Assert.Null(PartitionLimits.Check("t", 2, added, Held, maxPerTopic: 2, maxPerNode: 6));
    }
}
