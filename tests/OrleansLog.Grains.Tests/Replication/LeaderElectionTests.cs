using OrleansLog.Grains.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects who may lead a partition and what the new leader writes: a clean election only ever picks a
/// live in-sync replica, so no acknowledged record is lost; a live in-sync leader is kept rather than moved;
/// the preferred (first) replica wins when the choice is open; an unclean election happens only when
/// allowed; and taking office writes a leader epoch above every epoch already used, a bumped record version
/// and an ISR of live in-sync members only.
/// </summary>
public sealed class LeaderElectionTests
{
    private static readonly string[] Assigned = ["A", "B", "C"];

    private static Func<string, bool> Alive(params string[] nodes) => node => nodes.Contains(node);

    private static PartitionReplicationState Record(string? leader, string[] isr, int leaderEpoch = 4, long partitionEpoch = 9, string[]? replicas = null) => new()
    {
        Leader = leader,
        LeaderEpoch = leaderEpoch,
        Replicas = replicas ?? Assigned,
        Isr = isr,
        PartitionEpoch = partitionEpoch,
    };

    [Fact]
    public void Choose_UninitializedRecord_PicksThePreferredReplica_WhenAlive()
    {
        Assert.Equal("A", LeaderElection.Choose(new PartitionReplicationState(), Assigned, Alive("A", "B", "C"), uncleanAllowed: false));
    }

    [Fact]
    public void Choose_UninitializedRecord_PicksTheFirstLiveAssignedReplica()
    {
        // Before the first leader, every assigned replica counts as in sync, so this is a clean election.
        Assert.Equal("B", LeaderElection.Choose(new PartitionReplicationState(), Assigned, Alive("B", "C"), uncleanAllowed: false));
        Assert.Equal("C", LeaderElection.Choose(new PartitionReplicationState(), Assigned, Alive("C"), uncleanAllowed: false));
    }

    [Fact]
    public void Choose_UninitializedRecord_NobodyAlive_IsNull_EvenWhenUncleanAllowed()
    {
        Assert.Null(LeaderElection.Choose(new PartitionReplicationState(), Assigned, Alive(), uncleanAllowed: false));
        Assert.Null(LeaderElection.Choose(new PartitionReplicationState(), Assigned, Alive(), uncleanAllowed: true));
    }

    [Fact]
    public void Choose_InitializedRecord_UsesItsReplicasNotTheAssignment()
    {
        // A finished reassignment moved the partition to D and E; the topic's assignment is stale.
        PartitionReplicationState stored = Record(null, ["D", "E"], replicas: ["D", "E"]);

        Assert.Equal("D", LeaderElection.Choose(stored, Assigned, Alive("A", "B", "C", "D", "E"), uncleanAllowed: false));
    }

    [Fact]
    public void Choose_RecordedLeaderAliveAndInSync_IsKept_EvenWhenThePreferredReplicaIsAlive()
    {
        PartitionReplicationState stored = Record("B", ["B", "A", "C"]);

        Assert.Equal("B", LeaderElection.Choose(stored, Assigned, Alive("A", "B", "C"), uncleanAllowed: false));
        Assert.Equal("B", LeaderElection.Choose(stored, Assigned, Alive("A", "B", "C"), uncleanAllowed: true));
    }

    [Fact]
    public void Choose_RecordedLeaderAliveButOutOfSync_IsNotKept()
    {
        // A resigning leader named B, but B is not in the ISR: it may lack acknowledged records.
        PartitionReplicationState stored = Record("B", ["A", "C"]);

        Assert.Equal("A", LeaderElection.Choose(stored, Assigned, Alive("A", "B", "C"), uncleanAllowed: false));
    }

    [Fact]
    public void Choose_DeadRecordedLeader_PicksTheFirstLiveIsrMemberInReplicaOrder()
    {
        // The ISR lists B before A, but replica order decides, so the preferred replica A wins.
        PartitionReplicationState stored = Record("C", ["C", "B", "A"]);

        Assert.Equal("A", LeaderElection.Choose(stored, Assigned, Alive("A", "B"), uncleanAllowed: false));
        Assert.Equal("B", LeaderElection.Choose(stored, Assigned, Alive("B"), uncleanAllowed: false));
    }

    [Fact]
    public void Choose_DeadRecordedLeader_SkipsALivePreferredReplicaThatIsOutOfSync()
    {
        PartitionReplicationState stored = Record("B", ["B", "C"]);

        Assert.Equal("C", LeaderElection.Choose(stored, Assigned, Alive("A", "C"), uncleanAllowed: false));
        Assert.Equal("C", LeaderElection.Choose(stored, Assigned, Alive("A", "C"), uncleanAllowed: true));
    }

    [Fact]
    public void Choose_NoLiveIsrMember_IsNull_UnlessUncleanAllowed_ThenTheFirstLiveReplica()
    {
        PartitionReplicationState stored = Record("A", ["A"]);

        Assert.Null(LeaderElection.Choose(stored, Assigned, Alive("B", "C"), uncleanAllowed: false));
        Assert.Equal("B", LeaderElection.Choose(stored, Assigned, Alive("B", "C"), uncleanAllowed: true));
        Assert.Equal("C", LeaderElection.Choose(stored, Assigned, Alive("C"), uncleanAllowed: true));
        Assert.Null(LeaderElection.Choose(stored, Assigned, Alive("D"), uncleanAllowed: true));
    }

    [Fact]
    public void TakeOffice_UninitializedRecord_WritesTheAssignmentAndTheFirstEpochs()
    {
        PartitionReplicationState next = LeaderElection.TakeOffice(
            new PartitionReplicationState(), Assigned, "B", latestLogEpoch: -1, Alive("A", "B"));

        Assert.Equal("B", next.Leader);
        Assert.Equal(0, next.LeaderEpoch);
        Assert.Equal(1, next.PartitionEpoch);
        Assert.Equal(["A", "B", "C"], next.Replicas);
        Assert.Equal(["B", "A"], next.Isr);
        Assert.Null(next.TargetReplicas);
        Assert.True(next.IsInitialized);
    }

    [Theory]
    [InlineData(4, -1, 5)]
    [InlineData(4, 3, 5)]
    [InlineData(4, 4, 5)]
    [InlineData(4, 9, 10)]
    [InlineData(-1, 2, 3)]
    public void TakeOffice_LeaderEpoch_IsAboveBothTheStoredAndTheLogsLatestEpoch(int storedEpoch, int latestLogEpoch, int expected)
    {
        // An epoch already in the log may have been used by a leader whose record write was lost; reusing it
        // would let two different histories carry the same epoch.
        PartitionReplicationState stored = Record("A", ["A", "B", "C"], leaderEpoch: storedEpoch);

        PartitionReplicationState next = LeaderElection.TakeOffice(stored, Assigned, "A", latestLogEpoch, Alive("A", "B", "C"));

        Assert.Equal(expected, next.LeaderEpoch);
        Assert.Equal(10, next.PartitionEpoch);
    }

    [Fact]
    public void TakeOffice_Isr_IsLiveInSyncMembers_NewLeaderFirst_ThenReplicaOrder()
    {
        PartitionReplicationState stored = Record("A", ["A", "D", "B", "C"], replicas: ["A", "B", "C", "D"]);

        PartitionReplicationState next = LeaderElection.TakeOffice(stored, Assigned, "C", latestLogEpoch: 4, Alive("B", "C", "D"));

        Assert.Equal("C", next.Leader);
        Assert.Equal(["C", "B", "D"], next.Isr);
        Assert.Equal(["A", "B", "C", "D"], next.Replicas);
    }

    [Fact]
    public void TakeOffice_DropsDeadMembers_AndNeverAddsOutOfSyncOnes()
    {
        // D is alive but was out of sync: it must rejoin through the leader's catch-up rule, not by election.
        PartitionReplicationState stored = Record("A", ["A", "B", "C"], replicas: ["A", "B", "C", "D"]);

        PartitionReplicationState next = LeaderElection.TakeOffice(stored, Assigned, "B", latestLogEpoch: 4, Alive("B", "D"));

        Assert.Equal(["B"], next.Isr);
    }

    [Fact]
    public void TakeOffice_UncleanLeader_StartsTheIsrFromItselfAlone()
    {
        PartitionReplicationState stored = Record("A", ["A", "C"]);

        PartitionReplicationState next = LeaderElection.TakeOffice(stored, Assigned, "B", latestLogEpoch: 2, Alive("B", "C"));

        // C is alive and was in sync with A, but B's log may lack what C has: C must truncate and catch up.
        Assert.Equal("B", next.Leader);
        Assert.Equal(["B"], next.Isr);
        Assert.Equal(5, next.LeaderEpoch);
        Assert.Equal(10, next.PartitionEpoch);
    }

    [Fact]
    public void TakeOffice_CarriesTheReassignmentTargetOver()
    {
        PartitionReplicationState stored = Record("A", ["A", "B", "C"], replicas: ["D", "A", "B", "C"]);
        stored.TargetReplicas = ["D"];

        PartitionReplicationState next = LeaderElection.TakeOffice(stored, Assigned, "B", latestLogEpoch: 4, Alive("B", "C", "D"));

        Assert.NotNull(next.TargetReplicas);
        Assert.Equal(["D"], next.TargetReplicas);
        Assert.Equal(["D", "A", "B", "C"], next.Replicas);
        Assert.Equal(["B", "C"], next.Isr);
    }

    [Fact]
    public void TakeOffice_LeavesTheStoredRecordUnchanged()
    {
        PartitionReplicationState stored = Record("A", ["A", "B", "C"]);
        string before = stored.ToString();

        LeaderElection.TakeOffice(stored, Assigned, "B", latestLogEpoch: 4, Alive("B", "C"));

        Assert.Equal(before, stored.ToString());
    }

    [Fact]
    public void TakeOffice_ByANonReplica_Throws()
    {
        Assert.Throws<InvalidOperationException>(() =>
            LeaderElection.TakeOffice(Record("A", ["A", "B", "C"]), Assigned, "D", latestLogEpoch: 4, Alive("A", "B", "C", "D")));
        Assert.Throws<InvalidOperationException>(() =>
            LeaderElection.TakeOffice(new PartitionReplicationState(), Assigned, "D", latestLogEpoch: -1, Alive("A", "B", "C", "D")));

        // The stored replica set counts, not the assignment: A left in a reassignment.
        Assert.Throws<InvalidOperationException>(() =>
            LeaderElection.TakeOffice(Record("D", ["D"], replicas: ["D", "E"]), Assigned, "A", latestLogEpoch: 4, Alive("A", "D")));
    }

    [Fact]
    public void ChooseThenTakeOffice_KeepsTheNewLeader_WhenThePreferredReplicaReturns()
    {
        // A dies, B takes office; when A comes back it is out of the ISR and B is not moved away.
        PartitionReplicationState stored = Record("A", ["A", "B", "C"]);
        string? chosen = LeaderElection.Choose(stored, Assigned, Alive("B", "C"), uncleanAllowed: false);
        Assert.NotNull(chosen);
        Assert.Equal("B", chosen);
        PartitionReplicationState next = LeaderElection.TakeOffice(stored, Assigned, chosen, latestLogEpoch: 4, Alive("B", "C"));
        Assert.Equal(["B", "C"], next.Isr);

        Assert.Equal("B", LeaderElection.Choose(next, Assigned, Alive("A", "B", "C"), uncleanAllowed: false));
    }
}
