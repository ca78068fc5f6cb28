using Microsoft.Extensions.Time.Testing;
using OrleansLog.Grains.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects the leader's replication rules: the high watermark is the minimum log end offset over the ISR
/// and never moves backwards; acks=all answers only when every ISR member has the batch; a lagging follower
/// leaves the ISR after replica.lag.time.max and rejoins once caught up; ISR changes take effect only when
/// committed; min.insync.replicas refuses acks=all before the append (NotEnoughReplicas) and fails it after
/// (NotEnoughReplicasAfterAppend) when the ISR shrank first.
/// </summary>
public sealed class LeaderReplicationStateTests
{
    private static readonly TimeSpan LagTime = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private LeaderReplicationState NewLeader(string[]? isr = null, long logEndOffset = 0) =>
        new("orders-0", new LeaderAndIsr("A", 1, ["A", "B", "C"], isr ?? ["A", "B", "C"], 7), logEndOffset, 0, LagTime, 1024, _time);

    private static void AssertProposal(long basePartitionEpoch, string[] isr, IsrProposal? proposal)
    {
        Assert.NotNull(proposal);
        Assert.True(proposal.LeaderEpoch is 1 or 2, $"unexpected leader epoch {proposal.LeaderEpoch}");
        Assert.Equal(basePartitionEpoch, proposal.BasePartitionEpoch);
        Assert.Equal(isr, proposal.Isr);
    }

    [Fact]
    public void HighWatermark_IsMinimumIsrLogEndOffset_AndNeverMovesBackwards()
    {
        LeaderReplicationState leader = NewLeader();
        Assert.Equal(0, leader.OnLeaderAppended(9, Acks.Leader, 1).HighWatermark);

        Assert.Equal(0, leader.OnFollowerFetch("B", 5).HighWatermark);
        Assert.Equal(5, leader.OnFollowerFetch("C", 7).HighWatermark);
        Assert.Equal(7, leader.OnFollowerFetch("B", 10).HighWatermark);
        Assert.Equal(10, leader.OnFollowerFetch("C", 10).HighWatermark);

        // A follower that comes back with a shorter log (it truncated) does not pull the HW back.
        ReplicationUpdate update = leader.OnFollowerFetch("C", 8);
        Assert.Equal(ErrorCode.None, update.Error);
        Assert.Equal(10, update.HighWatermark);
        Assert.Equal(10, leader.HighWatermark);
    }

    [Fact]
    public void AcksAll_CompletesOnlyWhenEveryIsrMemberHasTheBatch()
    {
        LeaderReplicationState leader = NewLeader();
        Assert.Equal(ErrorCode.None, leader.CheckAppend(Acks.All, 2));
        Assert.Empty(leader.OnLeaderAppended(4, Acks.All, 2).Completed);
        Assert.Empty(leader.OnLeaderAppended(6, Acks.All, 2).Completed);

        Assert.Empty(leader.OnFollowerFetch("B", 7).Completed);
        Assert.Empty(leader.OnFollowerFetch("C", 4).Completed);

        ReplicationUpdate first = leader.OnFollowerFetch("C", 5);
        Assert.Equal([new AppendCompletion(4, ErrorCode.None)], first.Completed);
        Assert.Equal(1, leader.PendingAppendCount);

        ReplicationUpdate second = leader.OnFollowerFetch("C", 7);
        Assert.Equal([new AppendCompletion(6, ErrorCode.None)], second.Completed);
        Assert.Equal(0, leader.PendingAppendCount);
    }

    [Fact]
    public void AcksAll_WithLeaderAloneInIsr_CompletesOnAppend()
    {
        LeaderReplicationState leader = NewLeader(isr: ["A"]);

        ReplicationUpdate update = leader.OnLeaderAppended(0, Acks.All, 1);

        Assert.Equal([new AppendCompletion(0, ErrorCode.None)], update.Completed);
        Assert.Equal(1, update.HighWatermark);
    }

    [Fact]
    public void Tick_ShrinksIsr_OnlyAfterLagTime_AndOnlyOnCommit()
    {
        LeaderReplicationState leader = NewLeader();
        leader.OnLeaderAppended(9, Acks.Leader, 1);
        leader.OnFollowerFetch("C", 3);

        _time.Advance(LagTime);
        leader.OnFollowerFetch("B", 10);
        Assert.Null(leader.Tick().IsrProposal);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        leader.OnFollowerFetch("B", 10);
        ReplicationUpdate tick = leader.Tick();
        AssertProposal(7, ["A", "B"], tick.IsrProposal);
        Assert.Equal(["A", "B", "C"], leader.Isr);
        Assert.Equal(3, tick.HighWatermark);

        ReplicationUpdate committed = leader.CommitIsr(8);
        Assert.Equal(["A", "B"], leader.Isr);
        Assert.Equal(8, leader.LeaderAndIsr.PartitionEpoch);
        Assert.Null(leader.PendingIsrProposal);
        Assert.Equal(10, committed.HighWatermark);
    }

    [Fact]
    public void Follower_BehindButFetchingWhatWasThereAtItsLastFetch_StaysInIsr()
    {
        LeaderReplicationState leader = NewLeader();
        leader.OnLeaderAppended(9, Acks.Leader, 1);
        leader.OnFollowerFetch("B", 10);
        leader.OnFollowerFetch("C", 10);
        for (long lastOffset = 10; lastOffset < 50; lastOffset += 10)
        {
            // The leader keeps appending, so C is never at the log end when it fetches, but each fetch
            // covers what the leader had at the previous one: it was caught up as of then (Kafka's rule).
            leader.OnLeaderAppended(lastOffset + 9, Acks.Leader, 1);
            _time.Advance(TimeSpan.FromSeconds(20));
            leader.OnFollowerFetch("B", lastOffset + 10);
            leader.OnFollowerFetch("C", lastOffset);
            Assert.Null(leader.Tick().IsrProposal);
        }
    }

    [Fact]
    public void Follower_RejoinsIsr_OnlyOnceCaughtUpToHighWatermark_ThenOnCommit()
    {
        LeaderReplicationState leader = NewLeader();
        leader.OnLeaderAppended(9, Acks.Leader, 1);
        leader.OnFollowerFetch("B", 10);
        _time.Advance(LagTime + TimeSpan.FromSeconds(1));
        leader.OnFollowerFetch("B", 10);
        leader.Tick();
        leader.CommitIsr(8);
        Assert.Equal(["A", "B"], leader.Isr);
        Assert.Equal(10, leader.HighWatermark);

        ReplicationUpdate behind = leader.OnFollowerFetch("C", 9);
        Assert.Null(behind.IsrProposal);

        ReplicationUpdate caughtUp = leader.OnFollowerFetch("C", 10);
        AssertProposal(8, ["A", "B", "C"], caughtUp.IsrProposal);
        Assert.Equal(["A", "B"], leader.Isr);

        leader.CommitIsr(9);
        Assert.Equal(["A", "B", "C"], leader.Isr);
    }

    [Fact]
    public void Follower_AtHighWatermarkButBelowLeaderEpochStart_DoesNotRejoin()
    {
        // The new leader's log ends at 10 but the HW it inherited is 4: a follower must hold everything this
        // leader has (offsets below 10) before it counts as in sync, not just what was committed.
        LeaderReplicationState leader = new(
            "orders-0", new LeaderAndIsr("A", 2, ["A", "B", "C"], ["A", "B"], 7), 10, 4, LagTime, 1024, _time);

        Assert.Null(leader.OnFollowerFetch("C", 6).IsrProposal);
        AssertProposal(7, ["A", "B", "C"], leader.OnFollowerFetch("C", 10).IsrProposal);
    }

    [Fact]
    public void PendingExpansion_HoldsTheHighWatermarkForTheNewcomer()
    {
        LeaderReplicationState leader = NewLeader(isr: ["A", "B"], logEndOffset: 10);
        leader.OnFollowerFetch("B", 10);
        Assert.Equal(10, leader.HighWatermark);
        Assert.NotNull(leader.OnFollowerFetch("C", 10).IsrProposal);

        leader.OnLeaderAppended(14, Acks.Leader, 1);
        Assert.Equal(10, leader.OnFollowerFetch("B", 15).HighWatermark);
        Assert.Equal(12, leader.OnFollowerFetch("C", 12).HighWatermark);
    }

    [Fact]
    public void AbortedProposal_LeavesIsrUnchanged_AndMayBeProposedAgain()
    {
        LeaderReplicationState leader = NewLeader(isr: ["A", "B"]);
        Assert.NotNull(leader.OnFollowerFetch("C", 0).IsrProposal);
        Assert.Null(leader.OnFollowerFetch("C", 0).IsrProposal);

        leader.AbortIsrProposal();
        Assert.Equal(["A", "B"], leader.Isr);
        AssertProposal(7, ["A", "B", "C"], leader.OnFollowerFetch("C", 0).IsrProposal);
        Assert.Throws<InvalidOperationException>(() => leader.CommitIsr(7));
    }

    [Fact]
    public void CheckAppend_AcksAllWithIsrBelowMinInsync_IsNotEnoughReplicas()
    {
        LeaderReplicationState leader = NewLeader(isr: ["A"]);

        Assert.Equal(ErrorCode.NotEnoughReplicas, leader.CheckAppend(Acks.All, 2));
        Assert.Equal(ErrorCode.None, leader.CheckAppend(Acks.Leader, 2));
        Assert.Equal(ErrorCode.None, leader.CheckAppend(Acks.None, 2));
        Assert.Equal(ErrorCode.None, leader.CheckAppend(Acks.All, 1));
    }

    [Fact]
    public void AcksAll_IsrShrinksBelowMinInsyncBeforeReplication_CompletesWithNotEnoughReplicasAfterAppend()
    {
        LeaderReplicationState leader = NewLeader();
        Assert.Equal(ErrorCode.None, leader.CheckAppend(Acks.All, 2));
        Assert.Empty(leader.OnLeaderAppended(4, Acks.All, 2).Completed);

        _time.Advance(LagTime + TimeSpan.FromSeconds(1));
        AssertProposal(7, ["A"], leader.Tick().IsrProposal);
        ReplicationUpdate committed = leader.CommitIsr(8);

        Assert.Equal([new AppendCompletion(4, ErrorCode.NotEnoughReplicasAfterAppend)], committed.Completed);
        Assert.Equal(ErrorCode.NotEnoughReplicas, leader.CheckAppend(Acks.All, 2));
    }

    [Fact]
    public void FailPendingAppends_EndsEveryWaitingAppendWithTheReason()
    {
        LeaderReplicationState leader = NewLeader();
        leader.OnLeaderAppended(0, Acks.All, 2);
        leader.OnLeaderAppended(1, Acks.All, 2);

        Assert.Equal(
            [new AppendCompletion(0, ErrorCode.NotLeaderOrFollower), new AppendCompletion(1, ErrorCode.NotLeaderOrFollower)],
            leader.FailPendingAppends(ErrorCode.NotLeaderOrFollower));
        Assert.Equal(0, leader.PendingAppendCount);
    }

    [Fact]
    public void OnFollowerFetch_FromNonReplicaOrPastLogEnd_IsRefusedWithoutChange()
    {
        LeaderReplicationState leader = NewLeader();
        leader.OnLeaderAppended(4, Acks.Leader, 1);

        Assert.Equal(ErrorCode.NotLeaderOrFollower, leader.OnFollowerFetch("D", 0).Error);
        Assert.Equal(ErrorCode.OffsetOutOfRange, leader.OnFollowerFetch("B", 6).Error);
        Assert.Equal(-1, leader.GetFollower("B").LogEndOffset);
    }

    /// <summary>
    /// Seeded random runs of appends, fetches, clock advances, ticks and commits, checked after every step
    /// against the invariants; a failing seed replays exactly.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(42)]
    [InlineData(20261129)]
    public void RandomRuns_KeepHighWatermarkAndAcksInvariants(int seed)
    {
        var random = new Random(seed);
        LeaderReplicationState leader = NewLeader();
        var followerEnd = new Dictionary<string, long> { ["B"] = 0, ["C"] = 0 };
        long previousHw = 0;
        long partitionEpoch = 7;
        int shrinks = 0, expansions = 0, failedAfterAppend = 0, succeeded = 0;
        for (int step = 0; step < 2_000; step++)
        {
            ReplicationUpdate update;
            switch (random.Next(5))
            {
                case 0:
                    if (leader.CheckAppend(Acks.All, 2) != ErrorCode.None)
                    {
                        continue;
                    }

                    update = leader.OnLeaderAppended(leader.LogEndOffset + random.Next(3), Acks.All, 2);
                    break;
                case 1:
                case 2:
                    string node = random.Next(2) == 0 ? "B" : "C";
                    followerEnd[node] = Math.Min(leader.LogEndOffset, followerEnd[node] + random.Next(4));
                    update = leader.OnFollowerFetch(node, followerEnd[node]);
                    break;
                case 3:
                    _time.Advance(TimeSpan.FromSeconds(random.Next(20)));
                    update = leader.Tick();
                    break;
                default:
                    if (leader.PendingIsrProposal is null)
                    {
                        continue;
                    }

                    if (random.Next(4) == 0)
                    {
                        leader.AbortIsrProposal();
                        continue;
                    }

                    int before = leader.Isr.Count;
                    update = leader.CommitIsr(++partitionEpoch);
                    shrinks += leader.Isr.Count < before ? 1 : 0;
                    expansions += leader.Isr.Count > before ? 1 : 0;
                    break;
            }

            string context = $"seed {seed} step {step}: HW {update.HighWatermark}, ISR [{string.Join(",", leader.Isr)}], B {followerEnd["B"]}, C {followerEnd["C"]}, LEO {leader.LogEndOffset}";
            Assert.Equal(ErrorCode.None, update.Error);
            Assert.True(update.HighWatermark >= previousHw, $"{context}: HW moved back from {previousHw}");
            Assert.True(update.HighWatermark <= leader.LogEndOffset, context);
            foreach (string member in leader.Isr)
            {
                if (member != "A")
                {
                    Assert.True(update.HighWatermark <= followerEnd[member], $"{context}: HW above ISR member {member}");
                }
            }

            foreach (AppendCompletion completion in update.Completed)
            {
                Assert.True(completion.LastOffset < update.HighWatermark, $"{context}: completed {completion} above the HW");
                if (completion.Error == ErrorCode.None)
                {
                    succeeded++;
                    Assert.True(leader.Isr.Count >= 2, $"{context}: {completion} succeeded with ISR below min.insync");
                    foreach (string member in leader.Isr)
                    {
                        Assert.True(member == "A" || followerEnd[member] > completion.LastOffset, $"{context}: {completion} acknowledged before {member} had it");
                    }
                }
                else
                {
                    Assert.Equal(ErrorCode.NotEnoughReplicasAfterAppend, completion.Error);
                    failedAfterAppend++;
                }
            }

            previousHw = update.HighWatermark;
        }

        // The run must have exercised what it checks, or it proves nothing.
        Assert.True(shrinks > 0 && expansions > 0 && succeeded > 0,
            $"seed {seed}: {shrinks} shrinks, {expansions} expansions, {succeeded} acknowledged, {failedAfterAppend} failed after append");
    }
}
