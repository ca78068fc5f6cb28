using OrleansLog.Grains.Replication;
using OrleansLog.Grains.Tests.Replication.TestSupport;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects leader-epoch fencing: once a replica has seen a newer leader epoch, a deposed leader's appends
/// and fetches are refused (FENCED_LEADER_EPOCH) and never reach the log; requests from an epoch the
/// replica has not learned yet get the retriable UNKNOWN_LEADER_EPOCH, as in Kafka KIP-320; and an epoch raised for a local election
/// that failed is withdrawn, so it never refuses the leader that did win.
/// </summary>
public sealed class EpochFenceTests
{
    [Fact]
    public void Check_OlderEpochIsFenced_NewerIsUnknown_EqualPasses()
    {
        var fence = new EpochFence(latestEpoch: 5);

        Assert.Equal(ErrorCode.FencedLeaderEpoch, fence.Check(4));
        Assert.Equal(ErrorCode.UnknownLeaderEpoch, fence.Check(6));
        Assert.Equal(ErrorCode.None, fence.Check(5));
        Assert.Equal(ErrorCode.None, fence.Check(-1));
        Assert.Equal(5, fence.LatestEpoch);
    }

    [Fact]
    public void Accept_NewerEpochRaisesTheFence_ThenTheOlderOneIsRefused()
    {
        var fence = new EpochFence(latestEpoch: 1);

        Assert.Equal(ErrorCode.None, fence.Accept(2));
        Assert.Equal(2, fence.LatestEpoch);
        Assert.Equal(ErrorCode.FencedLeaderEpoch, fence.Accept(1));
        Assert.Equal(ErrorCode.None, fence.Accept(2));
        Assert.Equal(2, fence.LatestEpoch);
    }

    [Fact]
    public async Task StaleLeader_AppendToReplicaFollowingNewerLeader_IsRefusedAndLogUnchanged()
    {
        using var cluster = new ReplicaCluster();
        var fenceOfC = new EpochFence();

        // 1. Epoch 1: A leads; C accepts A's traffic and replicates.
        Assert.Equal(ErrorCode.None, fenceOfC.Accept(1));
        await cluster.LeaderAppendAsync("A", epoch: 1, count: 2);
        await cluster.CopyAsync("A", "C");

        // 2. Epoch 2: B becomes leader and C learns of it; B's writes reach C.
        Assert.Equal(ErrorCode.None, fenceOfC.Accept(2));
        await cluster.CopyAsync("A", "B");
        await cluster.LeaderAppendAsync("B", epoch: 2, count: 1);
        await cluster.CopyAsync("B", "C");
        byte[] before = ReplicaCluster.ReadAll(cluster["C"], 0);

        // 3. A, not knowing it was deposed, appends at epoch 1 and pushes to C: fenced, nothing written.
        await cluster.LeaderAppendAsync("A", epoch: 1, count: 1);
        ErrorCode pushResult = fenceOfC.Accept(1);
        if (pushResult == ErrorCode.None)
        {
            await cluster.CopyAsync("A", "C");
        }

        // 4. A's fetch request (carrying its epoch) is refused too.
        Assert.Equal(ErrorCode.FencedLeaderEpoch, pushResult);
        Assert.Equal(ErrorCode.FencedLeaderEpoch, fenceOfC.Check(1));
        Assert.True(before.AsSpan().SequenceEqual(ReplicaCluster.ReadAll(cluster["C"], 0)), "C's log changed after a fenced append");
        cluster.AssertIdentical("B", "C");
    }

    [Fact]
    public void AFailedLocalElection_WithdrawsItsTentativeEpoch_SoTheRealLeaderIsFollowed()
    {
        var fence = new EpochFence(3);

        Assert.Equal(ErrorCode.None, fence.AcceptTentatively(5)); // this node tries to take epoch 5; the write fails
        fence.Withdraw(5);

        Assert.Equal(3, fence.LatestEpoch);
        Assert.Equal(ErrorCode.None, fence.Accept(4)); // the leader that did win, in epoch 4, is followed
    }

    [Fact]
    public void ATentativeEpochConfirmedByTraffic_IsNotWithdrawn()
    {
        var fence = new EpochFence(3);
        fence.AcceptTentatively(4);

        Assert.Equal(ErrorCode.None, fence.Accept(4)); // another node won epoch 4 and this replica follows it
        fence.Withdraw(4);

        Assert.Equal(4, fence.LatestEpoch);
        Assert.Equal(ErrorCode.FencedLeaderEpoch, fence.Accept(3));
    }

    [Fact]
    public void AWithdrawalOfAnEpochOvertakenMeanwhile_ChangesNothing()
    {
        var fence = new EpochFence(3);
        fence.AcceptTentatively(4);
        fence.Accept(6);

        fence.Withdraw(4);

        Assert.Equal(6, fence.LatestEpoch);
    }
}
