using CsCheck;
using OrleansLog.Grains.Placement;
using Xunit;
using PartitionReplicas = OrleansLog.Grains.Placement.ReplicaRebalancer.PartitionReplicas;

namespace OrleansLog.Grains.Tests.Placement;

/// <summary>
/// Protects the rebalance plan: every topic's replicas and preferred leaders end spread evenly over the
/// live nodes, replicas leave only nodes that are gone or over their share, a balanced cluster is left
/// alone, and the plan is the same whatever order its input comes in. The property tests run over random
/// clusters (CsCheck, seeded and replayable; a failure prints the seed).
/// </summary>
public sealed class ReplicaRebalancerTests
{
    private static readonly string[] Nodes = ["node-0", "node-1", "node-2", "node-3", "node-4", "node-5", "node-6"];

    private static readonly Gen<RebalanceCase> Cases =
        from liveCount in Gen.Int[1, 6]
        from seed in Gen.Int[0, int.MaxValue]
        select RebalanceCase.Build(liveCount, seed);

    [Fact]
    public void AddingAFourthNode_MovesAQuarterOfTheReplicas_AndBalancesReplicasAndLeaders()
    {
        List<PartitionReplicas> before = Topic("orders", ReplicaAssignor.Assign(Nodes[..3], 12, 3, startIndex: 0, nextReplicaShift: 0));

        IReadOnlyList<PartitionReplicas> changes = ReplicaRebalancer.Rebalance(Nodes[..4], before);

        Dictionary<TopicPartition, IReadOnlyList<string>> after = Apply(before, changes);
        Assert.Equal(9, MovedReplicas(before, after));
        Assert.Equal(9, changes.Count);
        Assert.Equal([9, 9, 9, 9], ReplicasPerNode(after.Values, Nodes[..4]));
        Assert.Equal([3, 3, 3, 3], LeadsPerNode(after.Values, Nodes[..4]));
        Assert.All(after.Values, replicas => Assert.Equal(3, replicas.Distinct().Count()));
    }

    [Fact]
    public void AddingAFourthNode_BalancesEveryTopicOnItsOwn()
    {
        List<PartitionReplicas> before =
        [
            .. Topic("orders", ReplicaAssignor.Assign(Nodes[..3], 12, 3, startIndex: 0, nextReplicaShift: 0)),
            .. Topic("payments", ReplicaAssignor.Assign(Nodes[..3], 8, 2, startIndex: 1, nextReplicaShift: 1)),
        ];

        IReadOnlyList<PartitionReplicas> changes = ReplicaRebalancer.Rebalance(Nodes[..4], before);

        Dictionary<TopicPartition, IReadOnlyList<string>> after = Apply(before, changes);
        Assert.Equal([9, 9, 9, 9], ReplicasPerNode(Of(after, "orders"), Nodes[..4]));
        Assert.Equal([3, 3, 3, 3], LeadsPerNode(Of(after, "orders"), Nodes[..4]));
        Assert.Equal([4, 4, 4, 4], ReplicasPerNode(Of(after, "payments"), Nodes[..4]));
        Assert.Equal([2, 2, 2, 2], LeadsPerNode(Of(after, "payments"), Nodes[..4]));
        Assert.Equal(9 + 4, MovedReplicas(before, after));
    }

    [Theory]
    [InlineData(1, 5, 1, 0)]
    [InlineData(3, 12, 3, 0)]
    [InlineData(3, 7, 2, 2)]
    [InlineData(4, 10, 3, 1)]
    [InlineData(5, 10, 3, 4)]
    [InlineData(5, 3, 2, 1)]
    public void BalancedAssignment_YieldsNoChanges(int nodeCount, int partitions, int replicationFactor, int start)
    {
        string[] nodes = Nodes[..nodeCount];
        List<PartitionReplicas> assignment =
        [
            .. Topic("a", ReplicaAssignor.Assign(nodes, partitions, replicationFactor, start, start)),
            .. Topic("b", ReplicaAssignor.Assign(nodes, partitions + 1, replicationFactor, (start + 1) % nodeCount, 0)),
        ];

        Assert.Empty(ReplicaRebalancer.Rebalance(nodes, assignment));
    }

    [Fact]
    public void ReplicasOnANodeThatIsNotLive_MoveOff_AndPartitionsWithoutItKeepTheirReplicas()
    {
        List<PartitionReplicas> before = Topic("orders", ReplicaAssignor.Assign(Nodes[..4], 12, 3, startIndex: 0, nextReplicaShift: 0));

        IReadOnlyList<PartitionReplicas> changes = ReplicaRebalancer.Rebalance(Nodes[..3], before);

        Dictionary<TopicPartition, IReadOnlyList<string>> after = Apply(before, changes);
        Assert.DoesNotContain(after.Values, replicas => replicas.Contains("node-3"));
        Assert.Equal(9, MovedReplicas(before, after));
        Assert.Equal([12, 12, 12], ReplicasPerNode(after.Values, Nodes[..3]));
        Assert.Equal([4, 4, 4], LeadsPerNode(after.Values, Nodes[..3]));
        foreach (PartitionReplicas partition in before.Where(p => !p.Replicas.Contains("node-3")))
        {
            Assert.Equal(partition.Replicas.Order(), after[partition.Partition].Order());
        }
    }

    [Fact]
    public void LeaderOnANodeThatIsNotLive_IsReplacedByTheNextReplica_AndTheNewNodeAppended()
    {
        List<PartitionReplicas> before = [new(new TopicPartition("orders", 0), ["node-3", "node-0", "node-1"])];

        IReadOnlyList<PartitionReplicas> changes = ReplicaRebalancer.Rebalance(Nodes[..3], before);

        Assert.Equal([new TopicPartition("orders", 0)], changes.Select(c => c.Partition));
        Assert.Equal(["node-0", "node-1", "node-2"], changes[0].Replicas);
    }

    [Fact]
    public void ImbalancedLeaders_AreReorderedWithinPartitions_WithoutMovingReplicas()
    {
        List<PartitionReplicas> before = Topic("orders", [["node-0", "node-1", "node-2"], ["node-0", "node-1", "node-2"], ["node-0", "node-1", "node-2"]]);

        IReadOnlyList<PartitionReplicas> changes = ReplicaRebalancer.Rebalance(Nodes[..3], before);

        // The shifted leader moves to the front; the others keep their order.
        Assert.Equal(
            ["orders-0=[node-1,node-0,node-2]", "orders-1=[node-2,node-0,node-1]"],
            changes.Select(c => $"{c.Partition}=[{string.Join(",", c.Replicas)}]"));
    }

    [Fact]
    public void PartitionWithMoreReplicasThanLiveNodes_IsLeftUnchanged()
    {
        List<PartitionReplicas> before =
        [
            new(new TopicPartition("wide", 0), ["node-0", "node-1", "node-2"]),
            new(new TopicPartition("unbound", 0), []),
        ];

        Assert.Empty(ReplicaRebalancer.Rebalance(Nodes[..2], before));
    }

    [Fact]
    public void NoLiveNodes_OrNoPartitions_YieldNoChanges()
    {
        List<PartitionReplicas> before = Topic("orders", ReplicaAssignor.Assign(Nodes[..3], 6, 2, 0, 0));

        Assert.Empty(ReplicaRebalancer.Rebalance([], before));
        Assert.Empty(ReplicaRebalancer.Rebalance(Nodes[..3], []));
    }

    [Fact]
    public void Changes_ComeInTopicAndPartitionOrder()
    {
        List<PartitionReplicas> before =
        [
            .. Topic("b", ReplicaAssignor.Assign(Nodes[..2], 4, 2, 0, 0)),
            .. Topic("a", ReplicaAssignor.Assign(Nodes[..2], 4, 2, 0, 0)),
        ];
        before.Reverse();

        IReadOnlyList<PartitionReplicas> changes = ReplicaRebalancer.Rebalance(Nodes[..4], before);

        Assert.NotEmpty(changes);
        Assert.Equal(
            changes.Select(c => c.Partition).OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition),
            changes.Select(c => c.Partition));
    }

    [Fact]
    public void Rebalance_RejectsDuplicateNodesPartitionsAndReplicas()
    {
        List<PartitionReplicas> valid = Topic("orders", [["node-0"]]);

        Assert.Throws<ArgumentException>(() => ReplicaRebalancer.Rebalance(["node-0", "node-0"], valid));
        Assert.Throws<ArgumentException>(() => ReplicaRebalancer.Rebalance(Nodes[..2], [.. valid, .. valid]));
        Assert.Throws<ArgumentException>(() => ReplicaRebalancer.Rebalance(Nodes[..2], Topic("orders", [["node-0", "node-0"]])));
    }

    [Fact]
    public void Plan_IsTheSame_WhateverOrderTheInputComesIn()
    {
        Cases.Sample(c =>
        {
            IReadOnlyList<PartitionReplicas> plan = ReplicaRebalancer.Rebalance(c.Live, c.Assignment);

            IReadOnlyList<PartitionReplicas> again = ReplicaRebalancer.Rebalance([.. c.Live.Reverse()], [.. c.Assignment.AsEnumerable().Reverse()]);

            Assert.Equal(Render(plan), Render(again));
        });
    }

    [Fact]
    public void EveryChange_KeepsTheReplicationFactor_WithDistinctLiveReplicas()
    {
        Cases.Sample(c =>
        {
            Dictionary<TopicPartition, IReadOnlyList<string>> before = c.Assignment.ToDictionary(p => p.Partition, p => p.Replicas);

            IReadOnlyList<PartitionReplicas> changes = ReplicaRebalancer.Rebalance(c.Live, c.Assignment);

            Assert.Equal(changes.Count, changes.Select(p => p.Partition).Distinct().Count());
            foreach (PartitionReplicas change in changes)
            {
                IReadOnlyList<string> old = before[change.Partition];
                Assert.True(old.Count <= c.Live.Length, $"{change.Partition} has {old.Count} replicas, more than the {c.Live.Length} live nodes, and was changed");
                Assert.Equal(old.Count, change.Replicas.Count);
                Assert.Equal(change.Replicas.Count, change.Replicas.Distinct().Count());
                Assert.All(change.Replicas, node => Assert.Contains(node, c.Live));
                Assert.False(old.SequenceEqual(change.Replicas), $"{change.Partition} is listed as a change but keeps [{string.Join(",", old)}]");
            }
        });
    }

    [Fact]
    public void EveryTopic_EndsBalanced_AndNodesWithinTheirShareKeepTheirReplicas()
    {
        Cases.Sample(c =>
        {
            IReadOnlyList<PartitionReplicas> changes = ReplicaRebalancer.Rebalance(c.Live, c.Assignment);

            Dictionary<TopicPartition, IReadOnlyList<string>> after = Apply(c.Assignment, changes);
            foreach (IGrouping<string, PartitionReplicas> topic in c.Assignment.GroupBy(p => p.Partition.Topic))
            {
                PartitionReplicas[] eligible = [.. topic.Where(p => p.Replicas.Count > 0 && p.Replicas.Count <= c.Live.Length)];
                IReadOnlyList<string>[] placed = [.. eligible.Select(p => after[p.Partition])];
                Assert.All(placed, replicas => Assert.All(replicas, node => Assert.Contains(node, c.Live)));

                int total = eligible.Sum(p => p.Replicas.Count);
                int[] replicasPerNode = ReplicasPerNode(placed, c.Live);
                AssertWithin(total / c.Live.Length, Ceiling(total, c.Live.Length), replicasPerNode, $"topic {topic.Key} replicas per node");

                // A node holding no more than the smallest share never has to give a replica up. (Replicas
                // leaving a dead node can force one to: the only nodes lacking a partition may be full.)
                bool allLive = eligible.All(p => p.Replicas.All(c.Live.Contains));
                foreach (string node in c.Live)
                {
                    PartitionReplicas[] held = [.. eligible.Where(p => p.Replicas.Contains(node))];
                    if (allLive && held.Length <= total / c.Live.Length)
                    {
                        Assert.All(held, p => Assert.Contains(node, after[p.Partition]));
                    }
                }

                // With one replication factor per topic, as topics are created, leaders can always be balanced.
                if (eligible.Select(p => p.Replicas.Count).Distinct().Count() == 1)
                {
                    AssertWithin(eligible.Length / c.Live.Length, Ceiling(eligible.Length, c.Live.Length), LeadsPerNode(placed, c.Live), $"topic {topic.Key} leaders per node");
                }
            }
        });
    }

    [Fact]
    public void RebalancingTwice_ChangesNothingTheSecondTime()
    {
        Cases.Sample(c =>
        {
            Dictionary<TopicPartition, IReadOnlyList<string>> after = Apply(c.Assignment, ReplicaRebalancer.Rebalance(c.Live, c.Assignment));

            IReadOnlyList<PartitionReplicas> second = ReplicaRebalancer.Rebalance(c.Live, [.. after.Select(p => new PartitionReplicas(p.Key, p.Value))]);

            Assert.Empty(second);
        });
    }

    private static List<PartitionReplicas> Topic(string topic, string[][] replicas) =>
        [.. replicas.Select((r, p) => new PartitionReplicas(new TopicPartition(topic, p), r))];

    private static Dictionary<TopicPartition, IReadOnlyList<string>> Apply(IEnumerable<PartitionReplicas> before, IReadOnlyList<PartitionReplicas> changes)
    {
        Dictionary<TopicPartition, IReadOnlyList<string>> after = before.ToDictionary(p => p.Partition, p => p.Replicas);
        foreach (PartitionReplicas change in changes)
        {
            Assert.True(after.ContainsKey(change.Partition), $"{change.Partition} was not in the input");
            after[change.Partition] = change.Replicas;
        }

        return after;
    }

    private static IEnumerable<IReadOnlyList<string>> Of(Dictionary<TopicPartition, IReadOnlyList<string>> assignment, string topic) =>
        assignment.Where(p => p.Key.Topic == topic).Select(p => p.Value);

    /// <summary>Replicas placed on a node that did not hold that partition before.</summary>
    private static int MovedReplicas(IEnumerable<PartitionReplicas> before, Dictionary<TopicPartition, IReadOnlyList<string>> after) =>
        before.Sum(p => after[p.Partition].Except(p.Replicas).Count());

    private static int[] ReplicasPerNode(IEnumerable<IReadOnlyList<string>> assignment, IReadOnlyList<string> nodes) =>
        [.. nodes.Select(n => assignment.Count(r => r.Contains(n)))];

    private static int[] LeadsPerNode(IEnumerable<IReadOnlyList<string>> assignment, IReadOnlyList<string> nodes) =>
        [.. nodes.Select(n => assignment.Count(r => r.Count > 0 && r[0] == n))];

    private static int Ceiling(int total, int count) => (total + count - 1) / count;

    private static void AssertWithin(int floor, int ceil, int[] counts, string what) =>
        Assert.True(counts.All(n => n >= floor && n <= ceil), $"{what}: expected each in [{floor}, {ceil}], was {string.Join(",", counts)}");

    private static string Render(IReadOnlyList<PartitionReplicas> plan) =>
        string.Join("; ", plan.Select(p => $"{p.Partition}=[{string.Join(",", p.Replicas)}]"));

    /// <summary>
    /// A random cluster: some of seven nodes live, up to three topics with up to ten partitions each, whose
    /// replicas sit on any of the seven (so some on nodes that are gone) — usually one replication factor
    /// per topic, sometimes a mix, sometimes more than there are live nodes.
    /// </summary>
    internal sealed record RebalanceCase(string[] Live, List<PartitionReplicas> Assignment)
    {
        public static RebalanceCase Build(int liveCount, int seed)
        {
            var random = new Random(seed);
            string[] live = [.. Nodes.OrderBy(_ => random.Next()).Take(liveCount).Order(StringComparer.Ordinal)];
            var assignment = new List<PartitionReplicas>();
            int topics = random.Next(1, 4);
            for (int t = 0; t < topics; t++)
            {
                int partitions = random.Next(0, 11);
                int replicationFactor = random.Next(1, 5);
                bool mixed = random.Next(4) == 0;

                // Mostly on the live nodes, as a cluster that gained or lost a node or two looks.
                string[] pool = random.Next(3) == 0 ? Nodes : [.. live, .. Nodes.Except(live).Take(random.Next(0, 2))];
                for (int p = 0; p < partitions; p++)
                {
                    int rf = Math.Min(mixed ? random.Next(1, 5) : replicationFactor, pool.Length);
                    string[] replicas = [.. pool.OrderBy(_ => random.Next()).Take(rf)];
                    assignment.Add(new PartitionReplicas(new TopicPartition("t" + t, p), replicas));
                }
            }

            return new RebalanceCase(live, assignment);
        }

        public override string ToString() =>
            $"live [{string.Join(",", Live)}] " + string.Join("; ", Assignment.Select(p => $"{p.Partition}=[{string.Join(",", p.Replicas)}]"));
    }
}
