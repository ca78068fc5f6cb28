using OrleansLog.Grains.Placement;
using Xunit;

namespace OrleansLog.Grains.Tests.Placement;

/// <summary>
/// Protects the replica assignment against Kafka's rack-unaware algorithm: leaders round-robin from a
/// start index, followers at a shift that grows every n partitions, so partitions, leaders and
/// followers all spread evenly; adding partitions continues the pattern.
/// </summary>
public sealed class ReplicaAssignorTests
{
    private static readonly string[] Nodes = ["node-0", "node-1", "node-2", "node-3", "node-4"];

    [Fact]
    public void Assign_MatchesKafkasRackUnawareAssignment()
    {
        // Kafka AdminUtilsTest.testReplicaAssignment: brokers 0-4, 10 partitions, RF 3, start index 0, shift 0.
        int[][] expected =
        [
            [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 0], [4, 0, 1],
            [0, 2, 3], [1, 3, 4], [2, 4, 0], [3, 0, 1], [4, 1, 2],
        ];

        string[][] assignment = ReplicaAssignor.Assign(Nodes, 10, 3, startIndex: 0, nextReplicaShift: 0);

        Assert.Equal(expected.Select(r => r.Select(i => Nodes[i])), assignment);
    }

    [Theory]
    [InlineData(6, 3, 1, 0)]
    [InlineData(12, 3, 1, 2)]
    [InlineData(7, 3, 2, 1)]
    [InlineData(10, 5, 3, 4)]
    public void Assign_SpreadsLeadersAndReplicasEvenly(int partitions, int nodeCount, int replicationFactor, int start)
    {
        string[] nodes = Nodes[..nodeCount];

        string[][] assignment = ReplicaAssignor.Assign(nodes, partitions, replicationFactor, start, start);

        Assert.All(assignment, replicas => Assert.Equal(replicationFactor, replicas.Distinct().Count()));
        int[] leaders = [.. nodes.Select(n => assignment.Count(r => r[0] == n))];
        int[] copies = [.. nodes.Select(n => assignment.Count(r => r.Contains(n)))];
        Assert.True(leaders.Max() - leaders.Min() <= 1, $"leaders per node: {string.Join(",", leaders)}");
        Assert.True(copies.Max() - copies.Min() <= 1, $"replicas per node: {string.Join(",", copies)}");
    }

    [Fact]
    public void Assign_ForAddedPartitions_ContinuesTheLeaderRoundRobin()
    {
        string[][] all = ReplicaAssignor.Assign(Nodes[..3], 9, 2, startIndex: 1, nextReplicaShift: 1);

        string[][] added = ReplicaAssignor.Assign(Nodes[..3], 3, 2, startIndex: 1, nextReplicaShift: 1, startPartition: 6);

        // Leaders continue the round-robin exactly; followers restart their shift as Kafka's CreatePartitions does.
        Assert.Equal(all[6..].Select(r => r[0]), added.Select(r => r[0]));
        Assert.All(added, replicas => Assert.Equal(2, replicas.Distinct().Count()));
    }

    [Fact]
    public void Assign_RefusesMoreReplicasThanNodes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplicaAssignor.Assign(Nodes[..2], 4, 3, 0, 0));
    }
}
