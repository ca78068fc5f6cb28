using OrleansLog.Grains.Replication;
using OrleansLog.Grains.Tests.Replication.TestSupport;
using OrleansLog.Storage;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects the KIP-101/KIP-279 guarantee on real on-disk logs: after fast double failovers leave replicas
/// with divergent tails, a returning follower truncates by leader epoch (never by high watermark) and ends
/// up byte for byte equal to its leader, epoch history included.
/// </summary>
public sealed class DivergentLogTruncationTests
{
    [Fact]
    public async Task ReturningLeader_TruncatesItsUnreplicatedEpoch_AndMatchesNewLeaderByteForByte()
    {
        using var cluster = new ReplicaCluster();

        // 1. Epoch 0: A leads, writes offsets 0-1, B and C replicate them.
        await cluster.LeaderAppendAsync("A", epoch: 0, count: 2);
        await cluster.CopyAsync("A", "B");
        await cluster.CopyAsync("A", "C");

        // 2. Epoch 1: A writes offsets 2-3 that nobody else gets, then dies.
        await cluster.LeaderAppendAsync("A", epoch: 1, count: 2);

        // 3. Epoch 2: B leads and writes its own offsets 2-4; C follows B.
        await cluster.LeaderAppendAsync("B", epoch: 2, count: 3);
        List<int> askedByC = await cluster.RejoinAsFollowerAsync("C", leader: "B");
        Assert.Equal([0], askedByC);

        // 4. A returns as follower of B: asks OffsetForLeaderEpoch(1); B answers (0, 2); A cuts at 2.
        Assert.Equal(new EpochEndOffset(0, 2), cluster.OffsetForLeaderEpoch("B", 1));
        Assert.Equal(4, cluster["A"].LogEndOffset);
        List<int> askedByA = await cluster.RejoinAsFollowerAsync("A", leader: "B");

        // 5. Every replica holds B's log exactly.
        Assert.Equal([1], askedByA);
        cluster.AssertIdentical("B", "A");
        cluster.AssertIdentical("B", "C");
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(2, 2)], cluster["A"].LeaderEpochCache.Entries);

        // 6. The cut and the epoch history survive a restart of A.
        cluster.Reopen("A");
        cluster.AssertIdentical("B", "A");
    }

    [Fact]
    public async Task FollowerWithEpochTheLeaderNeverSaw_TruncatesToTheLastSharedEpoch()
    {
        using var cluster = new ReplicaCluster();

        // 1. Epoch 0: A leads, offsets 0-1 reach everyone.
        await cluster.LeaderAppendAsync("A", epoch: 0, count: 2);
        await cluster.CopyAsync("A", "B");
        await cluster.CopyAsync("A", "C");

        // 2. Epoch 1: B leads briefly, writes offset 2 alone, dies.
        await cluster.LeaderAppendAsync("B", epoch: 1, count: 1);

        // 3. Epoch 2: A leads again without ever hearing of epoch 1; writes offsets 2-3; C follows.
        await cluster.LeaderAppendAsync("A", epoch: 2, count: 2);
        await cluster.RejoinAsFollowerAsync("C", leader: "A");

        // 4. B returns: its latest epoch 1 is newer than anything A has below 2 (KIP-279); A answers (0, 2).
        Assert.Equal(new EpochEndOffset(0, 2), cluster.OffsetForLeaderEpoch("A", 1));
        List<int> asked = await cluster.RejoinAsFollowerAsync("B", leader: "A");

        Assert.Equal([1], asked);
        cluster.AssertIdentical("A", "B");
        cluster.AssertIdentical("A", "C");
    }

    [Fact]
    public async Task LeaderAnswersWithEpochTheFollowerLacks_FollowerLoopsToLowerEpoch_ThenMatchesLeader()
    {
        using var cluster = new ReplicaCluster();

        // 1. Epoch 0: A leads, offsets 0-1 reach A and B.
        await cluster.LeaderAppendAsync("A", epoch: 0, count: 2);
        await cluster.CopyAsync("A", "B");

        // 2. Four fast failovers, each leader writing alone:
        //    epoch 1 A writes 2-3; epoch 2 B writes 2-4; epoch 3 A writes 4; epoch 4 B writes 5.
        await cluster.LeaderAppendAsync("A", epoch: 1, count: 2);
        await cluster.LeaderAppendAsync("B", epoch: 2, count: 3);
        await cluster.LeaderAppendAsync("A", epoch: 3, count: 1);
        await cluster.LeaderAppendAsync("B", epoch: 4, count: 1);
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(1, 2), new EpochEntry(3, 4)], cluster["A"].LeaderEpochCache.Entries);

        // 3. A follows B. Round 1: asks 3, B answers (2, 5); A has no epoch 2, so it plans a cut at the
        //    end of its epoch 1 (offset 4) and asks again. Round 2: asks 1, B answers (0, 2): cut at 2.
        List<int> asked = await cluster.RejoinAsFollowerAsync("A", leader: "B");

        Assert.Equal([3, 1], asked);
        cluster.AssertIdentical("B", "A");
    }

    [Fact]
    public async Task FollowerThatIsOnlyBehind_TruncatesNothing_AndCatchesUp()
    {
        using var cluster = new ReplicaCluster();
        await cluster.LeaderAppendAsync("A", epoch: 0, count: 2);
        await cluster.CopyAsync("A", "B");
        await cluster.LeaderAppendAsync("A", epoch: 0, count: 3);
        await cluster.LeaderAppendAsync("A", epoch: 1, count: 1);

        TruncationDecision decision = FollowerTruncation.Decide(
            cluster["B"].LeaderEpochCache.Entries, cluster["B"].LogEndOffset, 0, cluster.OffsetForLeaderEpoch("A", 0));
        Assert.Equal(new TruncationDecision(TruncationOutcome.Complete, 2, decision.Reason), decision);

        await cluster.RejoinAsFollowerAsync("B", leader: "A");
        cluster.AssertIdentical("A", "B");
    }
}
