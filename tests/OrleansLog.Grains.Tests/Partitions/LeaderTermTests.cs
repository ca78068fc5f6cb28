using Microsoft.Extensions.Logging.Abstractions;
using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Partitions;

/// <summary>
/// Protects the leader's duties that change the persisted replication record (<see cref="LeaderTerm"/>),
/// over real partitions and an in-memory record store with grain storage's ETag rule, on a fake clock: an
/// ISR change takes effect only once persisted; a write that finds a newer leader ends the term; a write
/// whose answer was lost stays pending until a retry learns it landed; leadership goes back to the
/// preferred replica only after it has been in sync for the delay; a reassignment completes once its
/// target is in sync and deletes the replicas that left.
/// </summary>
public sealed class LeaderTermTests : IDisposable
{
    private static readonly string[] ThreeNodes = ["A", "B", "C"];
    private static readonly LeaderTermSettings Settings = new(AutoLeaderRebalance: true, PreferredLeaderDelay: TimeSpan.FromSeconds(10));
    private readonly PartitionTestBed _bed = new(new TopicConfig { MinInSyncReplicas = 1 });
    private readonly InMemoryRecordStore _store = new();
    private readonly RecordingTermHost _host = new();
    private readonly HashSet<string> _dead = [];

    [Fact]
    public async Task AnIsrShrink_TakesEffectOnlyOnceTheRecordHoldsIt()
    {
        LeaderTerm term = await TakeOfficeAsync("A", ThreeNodes);
        _dead.Add("C");
        _store.LoseNextWriteAnswer = true;

        await term.CheckAsync();

        // The write landed but its answer was lost: the ISR must not shrink yet, the proposal stays pending.
        Assert.Equal(ThreeNodes, term.Partition.Replication!.Isr);
        Assert.NotNull(term.Partition.Replication.PendingIsrProposal);
        Assert.False(term.Ended);

        await term.CheckAsync();

        // The retry conflicts with its own earlier write, reads it back and commits it.
        Assert.Equal(["A", "B"], term.Partition.Replication.Isr);
        Assert.Null(term.Partition.Replication.PendingIsrProposal);
        Assert.Equal(["A", "B"], _store.Record.Isr);
        Assert.Equal(_store.Record.PartitionEpoch, term.Stored!.PartitionEpoch);
    }

    [Fact]
    public async Task AWriteThatFindsANewerLeader_EndsTheTermAndAbortsTheChange()
    {
        LeaderTerm term = await TakeOfficeAsync("A", ThreeNodes);

        // Another activation (node B) takes office in the next epoch.
        var rival = new InMemoryRecordState(_store);
        await rival.ReadStateAsync(Token);
        rival.State = LeaderElection.TakeOffice(rival.State, ThreeNodes, "B", 1, _ => true);
        await rival.WriteStateAsync(Token);

        _dead.Add("C");
        await term.CheckAsync();

        Assert.True(term.Ended);
        Assert.NotEqual(PartitionRole.Leader, term.Partition.Role);
        Assert.Contains("a newer leader took office", Assert.Single(_host.StepDowns));
        Assert.Equal("B", _store.Record.Leader);
        Assert.Contains("C", _store.Record.Isr); // the shrink was not written over the newer leader's record
    }

    [Fact]
    public async Task AConflictThatCannotBeReadBack_EndsTheTerm()
    {
        LeaderTerm term = await TakeOfficeAsync("A", ThreeNodes);
        var rival = new InMemoryRecordState(_store);
        await rival.ReadStateAsync(Token);
        rival.State = LeaderElection.TakeOffice(rival.State, ThreeNodes, "B", 1, _ => true);
        await rival.WriteStateAsync(Token);
        _store.FailReads = true;

        _dead.Add("C");
        await term.CheckAsync();

        Assert.True(term.Ended);
        Assert.Contains("could not be read back", Assert.Single(_host.StepDowns));
    }

    [Fact]
    public async Task ThePreferredReplica_GetsLeadershipBackOnlyAfterBeingInSyncForTheDelay()
    {
        LeaderTerm term = await TakeOfficeAsync("B", ThreeNodes);
        await term.CheckAsync();
        _bed.Time.Advance(TimeSpan.FromSeconds(9));
        await term.CheckAsync();
        Assert.False(term.Ended);
        Assert.Equal("B", _store.Record.Leader);

        _bed.Time.Advance(TimeSpan.FromSeconds(1));
        await term.CheckAsync();

        Assert.True(term.Ended);
        Assert.Equal("A", _store.Record.Leader);
        Assert.Contains("leadership handed to node 'A'", Assert.Single(_host.StepDowns));
    }

    [Fact]
    public async Task ThePreferredReplica_DoesNotGetLeadershipWhileDead()
    {
        LeaderTerm term = await TakeOfficeAsync("B", ThreeNodes);
        _dead.Add("A");
        await term.CheckAsync();
        _bed.Time.Advance(TimeSpan.FromSeconds(30));
        await term.CheckAsync();

        Assert.False(term.Ended);
        Assert.Equal("B", _store.Record.Leader);
    }

    [Fact]
    public async Task AReassignment_CompletesOnceTheTargetIsInSync_AndDeletesTheReplicasThatLeft()
    {
        LeaderTerm term = await TakeOfficeAsync("A", ["A", "B"]);
        await term.Partition.AppendAsync(PartitionTestBed.Batch("x"), Acks.Leader, Token);

        AdminResult started = await term.ReassignAsync(["A", "C"], Token);
        Assert.True(started.Error == ErrorCode.None, started.Message);
        Assert.Equal(["A", "C", "B"], _store.Record.Replicas);
        Assert.Equal(["A", "C"], _store.Record.TargetReplicas!);
        Assert.Equal(["C"], _host.FollowersStarted);

        await term.CheckAsync();
        Assert.NotNull(_store.Record.TargetReplicas); // C has not caught up yet

        await _bed.CopyAsync("A", "C", term.Partition.LeaderEpoch);
        await _bed.CopyAsync("A", "C", term.Partition.LeaderEpoch);
        Assert.True(_host.Notifications > 0, "C's catch-up must ask the host to persist an ISR change");
        await term.ReplicationChangedAsync(); // what the grain does in its own turn when notified
        Assert.Contains("C", _store.Record.Isr);

        await term.CheckAsync();

        Assert.Equal(["A", "C"], _store.Record.Replicas);
        Assert.Null(_store.Record.TargetReplicas);
        Assert.Equal(["B"], _host.Deleted);
        Assert.False(term.Ended);
        Assert.Equal(["A", "C"], term.Partition.Replication!.LeaderAndIsr.Replicas);
    }

    [Fact]
    public async Task AReassignmentAwayFromTheLeader_HandsLeadershipToTheTarget()
    {
        LeaderTerm term = await TakeOfficeAsync("A", ["A", "B"]);
        await term.ReassignAsync(["C", "B"], Token);
        await _bed.CopyAsync("A", "C", term.Partition.LeaderEpoch);
        await term.ReplicationChangedAsync();
        Assert.Contains("C", _store.Record.Isr);

        await term.CheckAsync();

        Assert.Equal("C", _store.Record.Leader);
        Assert.Equal(["C", "B"], _store.Record.Replicas);
        Assert.True(term.Ended);
        Assert.Equal(["A"], _host.Deleted);
    }

    public void Dispose() => _bed.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>What the partition grain does: the election write with the ETag, then the term.</summary>
    private async Task<LeaderTerm> TakeOfficeAsync(string node, string[] replicas)
    {
        var records = new ReplicationRecordStore(new InMemoryRecordState(_store), PartitionTestBed.Id.ToString(), NullLogger.Instance);
        await records.ReadAsync(Token);
        PartitionReplicationState next = LeaderElection.TakeOffice(records.Current, replicas, node, -1, _ => true);
        Assert.Equal(RecordWrite.Written, await records.TryWriteAsync(next, Token));
        return new LeaderTerm(
            _bed[node], next.ToLeaderAndIsr(), next, records, node, n => !_dead.Contains(n), _host, Settings, _bed.Time, NullLogger.Instance);
    }

    private sealed class RecordingTermHost : ILeaderTermHost
    {
        public List<string> StepDowns { get; } = [];

        public List<string> FollowersStarted { get; } = [];

        public List<string> Deleted { get; } = [];

        public int Notifications { get; private set; }

        public void SteppedDown(int leaderEpoch, string reason) => StepDowns.Add(reason);

        public void NotifyReplicationChanged() => Notifications++;

        public Task StartFollowerAsync(string replica, int leaderEpoch)
        {
            FollowersStarted.Add(replica);
            return Task.CompletedTask;
        }

        public Task DeleteReplicaAsync(string replica, int leaderEpoch)
        {
            Deleted.Add(replica);
            return Task.CompletedTask;
        }

        public void ReportStorageFailure(Partition partition, string reason)
        {
        }
    }
}
