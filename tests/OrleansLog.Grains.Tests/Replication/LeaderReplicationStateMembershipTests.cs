using Microsoft.Extensions.Time.Testing;
using OrleansLog.Grains.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects the leader's handling of membership changes it does not decide from lag: a dead node is
/// removed from the ISR only through a committed proposal, never the leader and never while another
/// proposal is in flight, and its removal lets acks=all appends complete (or fail with
/// NotEnoughReplicasAfterAppend below min.insync.replicas); a reassignment's new replica set gives new
/// replicas fetch state and a way into the ISR, takes it from removed ones, and is refused when it would
/// drop the leader, reuse a record version or race a pending proposal.
/// </summary>
public sealed class LeaderReplicationStateMembershipTests
{
    private static readonly TimeSpan LagTime = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private LeaderReplicationState NewLeader(string[]? isr = null, long logEndOffset = 0) =>
        new("orders-0", new LeaderAndIsr("A", 1, ["A", "B", "C"], isr ?? ["A", "B", "C"], 7), logEndOffset, 0, LagTime, 1024, _time);

    private static void AssertProposal(long basePartitionEpoch, string[] isr, IsrProposal? proposal)
    {
        Assert.NotNull(proposal);
        Assert.Equal(1, proposal.LeaderEpoch);
        Assert.Equal(basePartitionEpoch, proposal.BasePartitionEpoch);
        Assert.Equal(isr, proposal.Isr);
    }

    [Fact]
    public void RemoveFromIsr_ProposesRemovingOnlyTheNamedFollowers_AndTakesEffectOnlyOnCommit()
    {
        LeaderReplicationState leader = NewLeader();

        ReplicationUpdate update = leader.RemoveFromIsr(node => node == "C");

        Assert.Equal(ErrorCode.None, update.Error);
        AssertProposal(7, ["A", "B"], update.IsrProposal);
        Assert.Same(update.IsrProposal, leader.PendingIsrProposal);
        Assert.Equal(["A", "B", "C"], leader.Isr);
        Assert.True(leader.IsInSync("C"));

        leader.CommitIsr(8);
        Assert.Equal(["A", "B"], leader.Isr);
        Assert.Equal(8, leader.LeaderAndIsr.PartitionEpoch);
        Assert.Null(leader.PendingIsrProposal);
        Assert.False(leader.IsInSync("C"));
    }

    [Fact]
    public void RemoveFromIsr_EveryoneMustLeave_KeepsTheLeader()
    {
        LeaderReplicationState leader = NewLeader();

        AssertProposal(7, ["A"], leader.RemoveFromIsr(_ => true).IsrProposal);
    }

    [Fact]
    public void RemoveFromIsr_NobodyInTheIsrMustLeave_ProposesNothing()
    {
        // C is a replica outside the ISR and D no replica at all: naming them changes nothing.
        LeaderReplicationState leader = NewLeader(isr: ["A", "B"]);

        ReplicationUpdate update = leader.RemoveFromIsr(node => node is "C" or "D");

        Assert.Equal(ErrorCode.None, update.Error);
        Assert.Null(update.IsrProposal);
        Assert.Null(leader.PendingIsrProposal);
        Assert.Equal(["A", "B"], leader.Isr);
    }

    [Fact]
    public void RemoveFromIsr_WhileAnotherProposalIsPending_ProposesNothing()
    {
        LeaderReplicationState leader = NewLeader(isr: ["A", "B"]);
        IsrProposal? expansion = leader.OnFollowerFetch("C", 0).IsrProposal;
        AssertProposal(7, ["A", "B", "C"], expansion);

        Assert.Null(leader.RemoveFromIsr(node => node == "B").IsrProposal);
        Assert.Same(expansion, leader.PendingIsrProposal);

        // Once the pending one is settled, the removal can be proposed against the new record.
        leader.CommitIsr(8);
        AssertProposal(8, ["A", "C"], leader.RemoveFromIsr(node => node == "B").IsrProposal);
    }

    [Fact]
    public void RemoveFromIsr_Committed_LetsTheHighWatermarkAdvance_AndCompletesWaitingAppends()
    {
        LeaderReplicationState leader = NewLeader();
        Assert.Equal(ErrorCode.None, leader.CheckAppend(Acks.All, 2));
        Assert.Empty(leader.OnLeaderAppended(4, Acks.All, 2).Completed);
        Assert.Empty(leader.OnFollowerFetch("B", 5).Completed);
        Assert.Equal(0, leader.HighWatermark);

        // While the removal is only proposed, C still holds the HW: the write of the proposal may fail.
        ReplicationUpdate proposed = leader.RemoveFromIsr(node => node == "C");
        AssertProposal(7, ["A", "B"], proposed.IsrProposal);
        Assert.Equal(0, proposed.HighWatermark);
        Assert.Empty(proposed.Completed);
        Assert.Equal(0, leader.OnFollowerFetch("B", 5).HighWatermark);

        ReplicationUpdate committed = leader.CommitIsr(8);

        Assert.Equal(5, committed.HighWatermark);
        Assert.Equal([new AppendCompletion(4, ErrorCode.None)], committed.Completed);
        Assert.Equal(0, leader.PendingAppendCount);
    }

    [Fact]
    public void RemoveFromIsr_CommittedBelowMinInsync_CompletesWithNotEnoughReplicasAfterAppend()
    {
        LeaderReplicationState leader = NewLeader();
        Assert.Equal(ErrorCode.None, leader.CheckAppend(Acks.All, 3));
        leader.OnLeaderAppended(4, Acks.All, 2);
        leader.OnLeaderAppended(6, Acks.All, 3);
        leader.OnFollowerFetch("B", 7);

        AssertProposal(7, ["A", "B"], leader.RemoveFromIsr(node => node == "C").IsrProposal);
        ReplicationUpdate committed = leader.CommitIsr(8);

        // Each append is judged by its own min.insync.replicas against the ISR it completes under.
        Assert.Equal(
            [new AppendCompletion(4, ErrorCode.None), new AppendCompletion(6, ErrorCode.NotEnoughReplicasAfterAppend)],
            committed.Completed);
        Assert.Equal(7, committed.HighWatermark);
        Assert.Equal(ErrorCode.NotEnoughReplicas, leader.CheckAppend(Acks.All, 3));
    }

    [Fact]
    public void RemoveFromIsr_Aborted_KeepsTheFollowerInSync_AndMayBeProposedAgain()
    {
        LeaderReplicationState leader = NewLeader();
        Assert.NotNull(leader.RemoveFromIsr(node => node == "C").IsrProposal);

        leader.AbortIsrProposal();

        Assert.Equal(["A", "B", "C"], leader.Isr);
        Assert.True(leader.IsInSync("C"));
        AssertProposal(7, ["A", "B"], leader.RemoveFromIsr(node => node == "C").IsrProposal);
    }

    [Fact]
    public void ChangeReplicas_NewReplica_CanFetch_AndJoinsTheIsrOnceCaughtUp()
    {
        LeaderReplicationState leader = NewLeader(logEndOffset: 10);
        leader.OnFollowerFetch("B", 10);
        leader.OnFollowerFetch("C", 10);
        Assert.Equal(10, leader.HighWatermark);

        ReplicationUpdate changed = leader.ChangeReplicas(["A", "B", "C", "D"], ["A", "B", "C"], 8);

        Assert.Equal(ErrorCode.None, changed.Error);
        Assert.Null(changed.IsrProposal);
        Assert.Equal(10, changed.HighWatermark);
        Assert.Equal(["A", "B", "C", "D"], leader.LeaderAndIsr.Replicas);
        Assert.Equal(["A", "B", "C"], leader.Isr);
        Assert.Equal(8, leader.LeaderAndIsr.PartitionEpoch);
        Assert.Equal(-1, leader.GetFollower("D").LogEndOffset);
        Assert.False(leader.IsInSync("D"));

        // Existing followers keep what the leader knew of them.
        Assert.Equal(10, leader.GetFollower("B").LogEndOffset);

        ReplicationUpdate behind = leader.OnFollowerFetch("D", 5);
        Assert.Equal(ErrorCode.None, behind.Error);
        Assert.Null(behind.IsrProposal);
        Assert.Equal(5, leader.GetFollower("D").LogEndOffset);

        AssertProposal(8, ["A", "B", "C", "D"], leader.OnFollowerFetch("D", 10).IsrProposal);
        Assert.False(leader.IsInSync("D"));
        leader.CommitIsr(9);
        Assert.Equal(["A", "B", "C", "D"], leader.Isr);
        Assert.True(leader.IsInSync("D"));
    }

    [Fact]
    public void ChangeReplicas_RemovedReplica_LosesItsFollowerState_AndStopsHoldingTheHighWatermark()
    {
        LeaderReplicationState leader = NewLeader();
        leader.OnLeaderAppended(4, Acks.All, 2);
        leader.OnFollowerFetch("B", 5);
        Assert.Equal(0, leader.HighWatermark);

        ReplicationUpdate changed = leader.ChangeReplicas(["A", "B"], ["A", "B"], 8);

        Assert.Equal(5, changed.HighWatermark);
        Assert.Equal([new AppendCompletion(4, ErrorCode.None)], changed.Completed);
        Assert.Equal(["A", "B"], leader.LeaderAndIsr.Replicas);
        Assert.Equal(["A", "B"], leader.Isr);
        Assert.False(leader.IsInSync("C"));
        Assert.Equal(ErrorCode.NotLeaderOrFollower, leader.OnFollowerFetch("C", 5).Error);
        Assert.Throws<ArgumentException>(() => leader.GetFollower("C"));

        // The lag check runs over the new set only.
        _time.Advance(LagTime + TimeSpan.FromSeconds(1));
        leader.OnLeaderAppended(9, Acks.Leader, 1);
        AssertProposal(8, ["A"], leader.Tick().IsrProposal);
    }

    [Fact]
    public void ChangeReplicas_NewReplicaOrder_OrdersLaterProposals()
    {
        LeaderReplicationState leader = NewLeader(isr: ["A", "B"]);

        leader.ChangeReplicas(["A", "C", "B"], ["A", "B"], 8);

        AssertProposal(8, ["A", "C", "B"], leader.OnFollowerFetch("C", 0).IsrProposal);
    }

    [Theory]
    [InlineData(new[] { "B", "C" }, new[] { "B", "C" }, 8L)]
    [InlineData(new[] { "A", "B", "C" }, new[] { "B", "C" }, 8L)]
    [InlineData(new[] { "A", "B", "C", "D" }, new[] { "A", "B", "C" }, 7L)]
    [InlineData(new[] { "A", "B", "C", "D" }, new[] { "A", "B", "C" }, 6L)]
    public void ChangeReplicas_WithoutTheLeaderOrWithANonGrowingPartitionEpoch_IsRefusedWithoutChange(string[] replicas, string[] isr, long partitionEpoch)
    {
        LeaderReplicationState leader = NewLeader();
        LeaderAndIsr before = leader.LeaderAndIsr;

        Assert.Throws<ArgumentException>(() => leader.ChangeReplicas(replicas, isr, partitionEpoch));

        Assert.Same(before, leader.LeaderAndIsr);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, leader.OnFollowerFetch("D", 0).Error);
        Assert.Equal(-1, leader.GetFollower("C").LogEndOffset);
    }

    [Fact]
    public void ChangeReplicas_WhileAProposalIsPending_Throws()
    {
        LeaderReplicationState leader = NewLeader(isr: ["A", "B"]);
        IsrProposal? expansion = leader.OnFollowerFetch("C", 0).IsrProposal;
        Assert.NotNull(expansion);
        LeaderAndIsr before = leader.LeaderAndIsr;

        Assert.Throws<InvalidOperationException>(() => leader.ChangeReplicas(["A", "B", "C", "D"], ["A", "B"], 8));

        Assert.Same(before, leader.LeaderAndIsr);
        Assert.Same(expansion, leader.PendingIsrProposal);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, leader.OnFollowerFetch("D", 0).Error);

        // The reassignment path aborts the proposal first; then the change goes through.
        leader.AbortIsrProposal();
        Assert.Equal(ErrorCode.None, leader.ChangeReplicas(["A", "B", "C", "D"], ["A", "B"], 8).Error);
        Assert.Equal(ErrorCode.None, leader.OnFollowerFetch("D", 0).Error);
    }

    [Fact]
    public void IsInSync_FollowsTheCommittedIsr_NotThePendingProposal()
    {
        LeaderReplicationState leader = NewLeader(isr: ["A", "B"]);
        Assert.True(leader.IsInSync("A"));
        Assert.True(leader.IsInSync("B"));
        Assert.False(leader.IsInSync("C"));
        Assert.False(leader.IsInSync("D"));

        Assert.NotNull(leader.OnFollowerFetch("C", 0).IsrProposal);
        Assert.False(leader.IsInSync("C"));
        leader.CommitIsr(8);
        Assert.True(leader.IsInSync("C"));

        Assert.NotNull(leader.RemoveFromIsr(node => node == "B").IsrProposal);
        Assert.True(leader.IsInSync("B"));
        leader.CommitIsr(9);
        Assert.False(leader.IsInSync("B"));
    }
}
