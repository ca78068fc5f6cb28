using CsCheck;
using OrleansLog.Grains.Groups;
using Xunit;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Properties of every built-in assignor over random groups (CsCheck, seeded and replayable; a failure
/// prints the seed): no partition twice, only partitions of subscribed topics, every partition assigned by
/// the eager assignors; with identical subscriptions round-robin and sticky are balanced and sticky keeps
/// each member's previous partitions up to its fair share; cooperative-sticky never hands out a partition
/// that another member still owns.
/// </summary>
public sealed class AssignorPropertyTests
{
    private const int MaxTopics = 3;

    private static readonly Gen<AssignorCase> Cases =
        from topicCount in Gen.Int[1, MaxTopics]
        from counts in Gen.Int[0, 12].Array[topicCount]
        from memberCount in Gen.Int[1, 7]
        from identical in Gen.Bool
        from masks in Gen.Int[1, (1 << MaxTopics) - 1].Array[memberCount]
        from owners in Gen.Int[-1, 7].Array[MaxTopics * 12]
        select AssignorCase.Build(counts, memberCount, identical, masks, owners);

    public static TheoryData<string> AssignorNames => [.. BuiltInAssignors.All.Select(a => a.Name)];

    [Theory]
    [MemberData(nameof(AssignorNames))]
    public void EveryAssignment_IsAValidPartialFunction_AndEagerOnesAreComplete(string name)
    {
        IPartitionAssignor assignor = BuiltInAssignors.All.Single(a => a.Name == name);
        Cases.Sample(c =>
        {
            var result = assignor.Assign(c.Members, c.Counts);
            Assert.Equal(c.Members.Select(m => m.MemberId).Order(), result.Keys.Order());
            var seen = new HashSet<TopicPartition>();
            foreach (AssignorMember member in c.Members)
            {
                foreach (TopicPartition partition in result[member.MemberId])
                {
                    Assert.True(seen.Add(partition), $"{partition} assigned twice");
                    Assert.Contains(partition.Topic, member.Topics);
                    Assert.InRange(partition.Partition, 0, c.Counts[partition.Topic] - 1);
                }
            }

            if (!assignor.IsCooperative)
            {
                Assert.Equal(c.EligiblePartitions().ToHashSet(), seen);
            }
        });
    }

    [Theory]
    [InlineData(RoundRobinAssignor.AssignorName)]
    [InlineData(StickyAssignor.AssignorName)]
    public void IdenticalSubscriptions_AreBalancedWithinOne(string name)
    {
        IPartitionAssignor assignor = BuiltInAssignors.All.Single(a => a.Name == name);
        Cases.Where(c => c.Identical).Sample(c =>
        {
            int[] sizes = [.. assignor.Assign(c.Members, c.Counts).Values.Select(p => p.Count)];
            Assert.True(sizes.Max() - sizes.Min() <= 1, $"sizes {string.Join(",", sizes)}");
        });
    }

    [Fact]
    public void Sticky_KeepsEachMembersPreviousPartitions_UpToItsFairShare()
    {
        var sticky = new StickyAssignor();
        Cases.Where(c => c.Identical).Sample(c =>
        {
            var result = sticky.Assign(c.Members, c.Counts);
            int floor = c.EligiblePartitions().Count() / c.Members.Count;
            foreach (AssignorMember member in c.Members)
            {
                int kept = result[member.MemberId].Intersect(member.PreviousAssignment).Count();
                Assert.True(kept >= Math.Min(member.PreviousAssignment.Count, floor), $"{member.MemberId} kept {kept} of {member.PreviousAssignment.Count}, fair share {floor}");
            }
        });
    }

    [Fact]
    public void CooperativeSticky_NeverAssignsAPartitionAnotherMemberOwns()
    {
        var cooperative = new CooperativeStickyAssignor();
        Cases.Sample(c =>
        {
            var result = cooperative.Assign(c.Members, c.Counts);
            foreach (AssignorMember member in c.Members)
            {
                foreach (TopicPartition partition in result[member.MemberId])
                {
                    Assert.DoesNotContain(c.Members, other => other.MemberId != member.MemberId && other.OwnedPartitions.Contains(partition));
                }
            }
        });
    }

    /// <summary>A random group: topics t0..tn with their counts, members with subscriptions and a valid previous assignment (also reported as owned).</summary>
    internal sealed record AssignorCase(IReadOnlyList<AssignorMember> Members, Dictionary<string, int> Counts, bool Identical)
    {
        public static AssignorCase Build(int[] counts, int memberCount, bool identical, int[] masks, int[] owners)
        {
            string[] topics = [.. Enumerable.Range(0, counts.Length).Select(i => "t" + i)];
            var subscriptions = new string[memberCount][];
            for (int m = 0; m < memberCount; m++)
            {
                int mask = identical ? (1 << topics.Length) - 1 : masks[m] & ((1 << topics.Length) - 1);
                subscriptions[m] = mask == 0 ? [topics[0]] : [.. topics.Where((_, i) => (mask & (1 << i)) != 0)];
            }

            var previous = Enumerable.Range(0, memberCount).Select(_ => new List<TopicPartition>()).ToArray();
            for (int t = 0; t < topics.Length; t++)
            {
                for (int p = 0; p < counts[t]; p++)
                {
                    int owner = owners[(t * 12) + p];
                    if (owner >= 0 && owner < memberCount && subscriptions[owner].Contains(topics[t]))
                    {
                        previous[owner].Add(new TopicPartition(topics[t], p));
                    }
                }
            }

            var members = Enumerable.Range(0, memberCount)
                .Select(m => new AssignorMember("m" + m, null, subscriptions[m], previous[m], previous[m]))
                .ToList();
            return new AssignorCase(members, topics.Select((t, i) => (t, counts[i])).ToDictionary(x => x.t, x => x.Item2), identical);
        }

        public IEnumerable<TopicPartition> EligiblePartitions() =>
            Members.SelectMany(m => m.Topics).Distinct().SelectMany(t => Enumerable.Range(0, Counts[t]).Select(p => new TopicPartition(t, p)));

        public override string ToString() =>
            string.Join("; ", Counts.Select(c => $"{c.Key}:{c.Value}")) + " | " +
            string.Join("; ", Members.Select(m => $"{m.MemberId}[{string.Join(",", m.Topics)}] had {string.Join(",", m.PreviousAssignment)}"));
    }
}
