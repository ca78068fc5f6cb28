using OrleansLog.Grains.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects the rules for the leader's changes to the replication record: every change bumps the
/// partition epoch and leaves its input alone; a reassignment first adds the new replicas beside the old
/// ones, refuses a second move while one runs (and a list that is empty or repeats a node), and completes
/// only once every target replica is in sync — moving leadership when the leader leaves; and an ISR write
/// whose outcome was unknown is recognised as the leader's own when a retry reads it back (KIP-497).
/// </summary>
public sealed class ReplicationRecordChangesTests
{
    private static PartitionReplicationState Record(string[]? target = null) => new()
    {
        Leader = "A",
        LeaderEpoch = 4,
        Replicas = ["A", "B", "C"],
        Isr = ["A", "B", "C"],
        PartitionEpoch = 9,
        TargetReplicas = target,
    };

    [Fact]
    public void AnIsrChangeOrAHandOver_BumpsThePartitionEpoch_AndLeavesTheStoredRecordAlone()
    {
        PartitionReplicationState stored = Record();

        PartitionReplicationState shrunk = ReplicationRecordChanges.WithIsr(stored, ["A", "C"]);
        PartitionReplicationState handed = ReplicationRecordChanges.HandOver(stored, "B");

        Assert.Equal(["A", "C"], shrunk.Isr);
        Assert.Equal(10, shrunk.PartitionEpoch);
        Assert.Equal(("B", 10L, 4), (handed.Leader, handed.PartitionEpoch, handed.LeaderEpoch));
        Assert.Equal(["A", "B", "C"], stored.Isr);
        Assert.Equal(("A", 9L), (stored.Leader, stored.PartitionEpoch));
    }

    [Fact]
    public void StartingAMove_AddsTheNewReplicasBesideTheOldOnes_AndNamesTheTarget()
    {
        PartitionReplicationState? next = ReplicationRecordChanges.StartReassignment(Record(), ["B", "D", "E"], "t-0", out AdminResult answer);

        Assert.True(answer.IsSuccess);
        Assert.NotNull(next);
        Assert.Equal(["B", "D", "E", "A", "C"], next.Replicas);
        Assert.Equal(["B", "D", "E"], next.TargetReplicas!);
        Assert.Equal(10, next.PartitionEpoch);
    }

    [Fact]
    public void ReorderingTheSameNodes_OnlyChangesThePreferredLeader()
    {
        PartitionReplicationState? next = ReplicationRecordChanges.StartReassignment(Record(), ["C", "A", "B"], "t-0", out _);

        Assert.NotNull(next);
        Assert.Equal(["C", "A", "B"], next.Replicas);
        Assert.Null(next.TargetReplicas);
    }

    [Theory]
    [InlineData(new string[0], "distinct node ids, at least one, got []")]
    [InlineData(new[] { "A", "A" }, "distinct node ids, at least one, got [A,A]")]
    public void AnEmptyOrRepeatingList_IsInvalidReplicaAssignment_AndWritesNothing(string[] replicas, string message)
    {
        PartitionReplicationState? next = ReplicationRecordChanges.StartReassignment(Record(), replicas, "t-0", out AdminResult answer);

        Assert.Null(next);
        Assert.Equal(ErrorCode.InvalidReplicaAssignment, answer.Error);
        Assert.Contains("t-0: replicas must be " + message, answer.Message);
    }

    [Fact]
    public void ASecondMoveWhileOneRuns_IsReassignmentInProgress_TheSameOneIsOk()
    {
        PartitionReplicationState running = Record(target: ["B", "D", "E"]);

        Assert.Null(ReplicationRecordChanges.StartReassignment(running, ["D", "E", "F"], "t-0", out AdminResult other));
        Assert.Null(ReplicationRecordChanges.StartReassignment(running, ["B", "D", "E"], "t-0", out AdminResult same));

        Assert.Equal(ErrorCode.ReassignmentInProgress, other.Error);
        Assert.Contains("a reassignment to [B,D,E] is running", other.Message);
        Assert.True(same.IsSuccess);
    }

    [Fact]
    public void AMove_CompletesOnlyOnceEveryTargetIsInSync_AndMovesLeadershipWhenTheLeaderLeaves()
    {
        PartitionReplicationState running = Record(target: ["B", "D", "E"]);
        running.Replicas = ["B", "D", "E", "A", "C"];
        var inSync = new HashSet<string> { "A", "B", "C", "D" };

        Assert.Null(ReplicationRecordChanges.CompleteReassignment(running, "A", inSync.Contains, out _));

        inSync.Add("E");
        PartitionReplicationState? done = ReplicationRecordChanges.CompleteReassignment(running, "A", inSync.Contains, out string[] removed);

        Assert.NotNull(done);
        Assert.Equal(["B", "D", "E"], done.Replicas);
        Assert.Equal(["B", "D", "E"], done.Isr);
        Assert.Equal("B", done.Leader);
        Assert.Null(done.TargetReplicas);
        Assert.Equal(["A", "C"], removed);
    }

    [Fact]
    public void AMoveTheLeaderStaysIn_KeepsItLeaderAndFirstInTheIsr()
    {
        PartitionReplicationState running = Record(target: ["D", "A"]);
        running.Replicas = ["D", "A", "B", "C"];

        PartitionReplicationState? done = ReplicationRecordChanges.CompleteReassignment(running, "A", _ => true, out string[] removed);

        Assert.NotNull(done);
        Assert.Equal("A", done.Leader);
        Assert.Equal(["A", "D"], done.Isr);
        Assert.Equal(["B", "C"], removed);
    }

    [Fact]
    public void AnIsrWriteReadBackAfterAnUnknownOutcome_IsTheLeadersOwnOnlyWithTheSameLeaderEpochAndIsr()
    {
        PartitionReplicationState landed = ReplicationRecordChanges.WithIsr(Record(), ["A", "C"]);

        Assert.True(ReplicationRecordChanges.IsOwnIsrWrite(landed, "A", 4, ["A", "C"]));
        Assert.False(ReplicationRecordChanges.IsOwnIsrWrite(landed, "A", 4, ["A", "B"]));
        Assert.False(ReplicationRecordChanges.IsOwnIsrWrite(landed, "A", 3, ["A", "C"]));
        Assert.False(ReplicationRecordChanges.IsOwnIsrWrite(landed, "B", 4, ["A", "C"]));
    }

    [Fact]
    public void ALeaderWhoseLogFailed_LeavesTheIsr_AndTheFirstOtherLiveInSyncReplicaLeadsNext()
    {
        PartitionReplicationState stored = Record();

        PartitionReplicationState? next = ReplicationRecordChanges.LeaveAfterStorageFailure(stored, "A", node => node != "B");

        Assert.NotNull(next);
        Assert.Equal("C", next.Leader);
        Assert.Equal(["B", "C"], next.Isr);
        Assert.Equal(stored.PartitionEpoch + 1, next.PartitionEpoch);
        Assert.Equal(stored.LeaderEpoch, next.LeaderEpoch); // the successor's election bumps it
        Assert.Null(ReplicationRecordChanges.LeaveAfterStorageFailure(stored, "A", node => node == "A"));
    }
}
