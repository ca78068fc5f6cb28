using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Partitions;

/// <summary>
/// Protects the leader's rules of <see cref="Partition"/>, without a silo: acks=all answers only once every
/// ISR member fetched past the batch and a resigning leader answers its waiters; consumers never read above
/// the high watermark and a long-poll fetch wakes when it moves or ends at its deadline; a retried
/// idempotent batch gets its original offsets; a follower that knows a newer epoch deposes the leader; a
/// follower that stops fetching leaves the ISR after replica.lag.time.max; only a leader serves.
/// </summary>
public sealed class PartitionLeaderTests : IDisposable
{
    private static readonly string[] ThreeNodes = ["A", "B", "C"];
    private readonly PartitionTestBed _bed = new(new TopicConfig { MinInSyncReplicas = 2 });
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AcksAll_IsAnsweredOnlyOnceEveryIsrFollowerFetchedPastTheBatch()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes);

        Task<AppendResult> append = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.All, Token);
        Assert.False(append.IsCompleted);

        await _bed.CopyAsync("A", "B", 1);
        await _bed.CopyAsync("A", "C", 1);
        Assert.False(append.IsCompleted); // they hold offset 0 now, but the leader learns that from their next fetch

        await _bed.CopyAsync("A", "B", 1);
        Assert.False(append.IsCompleted);
        await _bed.CopyAsync("A", "C", 1);

        AppendResult result = await append.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(result.IsSuccess, result.Message);
        Assert.Equal(0, result.BaseOffset);
        Assert.Equal(1, leader.HighWatermark);
    }

    [Fact]
    public async Task AResigningLeader_AnswersItsWaitingAcksAllAppends_NotLeaderOrFollower()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes);
        Task<AppendResult> append = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.All, Token);

        leader.Resign(ErrorCode.NotLeaderOrFollower, "test");

        AppendResult result = await append.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, result.Error);
        Assert.Contains("offsets 0..0 were appended by the leader of epoch 1", result.Message);
        AppendResult refused = await leader.AppendAsync(PartitionTestBed.Batch("y"), Acks.Leader, Token);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, refused.Error);
    }

    [Fact]
    public async Task AConsumerFetch_SeesNothingAboveTheHighWatermark_AndWakesWhenItMoves()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes);
        _ = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.Leader, Token);
        Assert.Equal(1, leader.Log.LogEndOffset);

        Task<FetchResult> fetch = leader.FetchAsync(new FetchRequest(0, 1 << 20, 1, 10_000), Token);
        Assert.False(fetch.IsCompleted); // offset 0 is in the log but not replicated

        await _bed.CopyAsync("A", "B", 1);
        await _bed.CopyAsync("A", "C", 1);
        await _bed.CopyAsync("A", "B", 1);
        await _bed.CopyAsync("A", "C", 1);

        FetchResult result = await fetch.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(1, result.HighWatermark);
        Assert.Equal(1, result.NextOffset);
        Assert.True(result.Records.Length > 0);
    }

    [Fact]
    public async Task ALongPollFetch_WithNothingArriving_ReturnsEmptyAtItsDeadline()
    {
        Partition leader = _bed.Lead("A", 1, ["A"]);
        Task<FetchResult> fetch = leader.FetchAsync(new FetchRequest(0, 1 << 20, 1, 500), Token);
        Assert.False(fetch.IsCompleted);

        _bed.Time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(fetch.IsCompleted);
        _bed.Time.Advance(TimeSpan.FromMilliseconds(2));

        FetchResult result = await fetch.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(0, result.Records.Length);
    }

    [Fact]
    public async Task ARetriedIdempotentBatch_GetsItsOriginalOffsets_AndIsNotAppendedTwice()
    {
        Partition leader = _bed.Lead("A", 1, ["A"]);
        AppendResult first = await leader.AppendAsync(PartitionTestBed.Batch(["a", "b"], producerId: 7), Acks.Leader, Token);
        await leader.AppendAsync(PartitionTestBed.Batch("c", producerId: 7, baseSequence: 2), Acks.Leader, Token);

        AppendResult retry = await leader.AppendAsync(PartitionTestBed.Batch(["a", "b"], producerId: 7), Acks.Leader, Token);

        Assert.True(retry.IsSuccess, retry.Message);
        Assert.Equal((first.BaseOffset, first.LastOffset), (retry.BaseOffset, retry.LastOffset));
        Assert.Equal(3, leader.Log.LogEndOffset);
        AppendResult gap = await leader.AppendAsync(PartitionTestBed.Batch("e", producerId: 7, baseSequence: 9), Acks.Leader, CancelledSoon());
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, gap.Error);
        Assert.Contains("sequence expected 3, actual 9", gap.Message);
    }

    [Fact]
    public async Task ABatchAheadOfOneThatNeverComes_IsAnsweredOutOfOrder_WellWithinTheClientsRequestTimeout()
    {
        Partition leader = _bed.Lead("A", 1, ["A"]);
        Assert.True((await leader.AppendAsync(PartitionTestBed.Batch("a", producerId: 7), Acks.Leader, Token)).IsSuccess);

        // Sequence 1 was refused for good (too large, say); sequence 2 had been sent behind it.
        Task<AppendResult> ahead = leader.AppendAsync(PartitionTestBed.Batch("c", producerId: 7, baseSequence: 2), Acks.Leader, Token);
        _bed.Time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(ahead.IsCompleted, "a batch that may only have overtaken its predecessor waits for it a moment");

        // Answered while the producer still waits (its default request timeout is 2 s): a definite answer it
        // retries behind the gap, not a timeout of unknown outcome.
        _bed.Time.Advance(TimeSpan.FromMilliseconds(1000));
        AppendResult answer = await ahead.WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, answer.Error);
        Assert.Equal(1, leader.Log.LogEndOffset);
    }

    [Fact]
    public async Task AcksAll_BelowMinInsyncReplicas_IsRefusedBeforeAnythingIsAppended()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes, isr: ["A"]);

        AppendResult result = await leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.All, Token);

        Assert.Equal(ErrorCode.NotEnoughReplicas, result.Error);
        Assert.Contains("min.insync.replicas=2", result.Message);
        Assert.Equal(0, leader.Log.LogEndOffset);
    }

    [Fact]
    public async Task AFollowerThatKnowsANewerEpoch_DeposesTheLeader()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes);
        Task<AppendResult> append = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.All, Token);

        ReplicaFetchResult refused = await leader.ReplicaFetchAsync(new ReplicaFetchRequest("B", 2, 0, 1 << 20, 0), Token);

        Assert.Equal(ErrorCode.NotLeaderOrFollower, refused.Error);
        Assert.Equal(PartitionRole.None, leader.Role);
        Assert.Single(_bed.Host.StepDowns);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, (await append.WaitAsync(TimeSpan.FromSeconds(10), Token)).Error);
    }

    [Fact]
    public async Task AFollowerWithAnOlderEpoch_IsFenced_AndChangesNothing()
    {
        Partition leader = _bed.Lead("A", 3, ThreeNodes);

        ReplicaFetchResult refused = await leader.ReplicaFetchAsync(new ReplicaFetchRequest("B", 2, 0, 1 << 20, 0), Token);

        Assert.Equal(ErrorCode.FencedLeaderEpoch, refused.Error);
        Assert.Equal(3, refused.LeaderEpoch);
        Assert.Equal(PartitionRole.Leader, leader.Role);
        Assert.Empty(_bed.Host.StepDowns);
    }

    [Fact]
    public async Task AFollowerThatStopsFetching_IsProposedOutOfTheIsr_AfterTheLagTime()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes);
        _ = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.Leader, Token);
        await _bed.CopyAsync("A", "B", 1);
        await _bed.CopyAsync("A", "B", 1);

        _bed.Time.Advance(TimeSpan.FromSeconds(29));
        await _bed.CopyAsync("A", "B", 1);
        leader.Tick(_ => true);
        Assert.Empty(_bed.Host.Proposals);

        _bed.Time.Advance(TimeSpan.FromSeconds(2));
        leader.Tick(_ => true);

        IsrProposal proposal = Assert.Single(_bed.Host.Proposals);
        Assert.Equal(["A", "B"], proposal.Isr);
        Assert.True(leader.CommitIsr(proposal, 1));
        Assert.Equal(["A", "B"], leader.Replication!.Isr);
    }

    [Fact]
    public async Task AMemberWhoseNodeDied_LeavesTheIsrAtOnce()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes);

        leader.Tick(node => node != "C");

        IsrProposal proposal = Assert.Single(_bed.Host.Proposals);
        Assert.Equal(["A", "B"], proposal.Isr);
        leader.AbortIsr(proposal);
        Assert.Null(leader.Replication!.PendingIsrProposal);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task AFollowerFetchWithNoByteBudgetLeft_StillAcknowledgesItsOffset()
    {
        Partition leader = _bed.Lead("A", 1, ThreeNodes);
        Task<AppendResult> append = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.All, Token);
        await _bed.CopyAsync("A", "B", 1);
        await _bed.CopyAsync("A", "C", 1);

        // The node's replica manager spent its byte budget on other partitions: this one only acknowledges.
        ReplicaFetchResult b = leader.ReplicaFetch("B", 1, 1, maxBytes: 0);
        ReplicaFetchResult c = leader.ReplicaFetch("C", 1, 1, maxBytes: 0);

        Assert.Equal((ErrorCode.None, 0), (b.Error, b.Records.Length));
        Assert.Equal((ErrorCode.None, 0), (c.Error, c.Records.Length));
        Assert.True((await append.WaitAsync(TimeSpan.FromSeconds(10), Token)).IsSuccess);
        Assert.Equal(1, leader.HighWatermark);
    }

    [Fact]
    public async Task OnlyALeaderServes_AConsumerFetchOnAFollowerCopyIsRefused()
    {
        Partition follower = _bed["B"];
        follower.BecomeFollower();

        FetchResult result = await follower.FetchAsync(new FetchRequest(0, 1024, 1, 0), Token);

        Assert.Equal(ErrorCode.NotLeaderOrFollower, result.Error);
        Assert.Contains("orders-0", result.Message);
    }

    private static CancellationToken CancelledSoon()
    {
        var source = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        return source.Token;
    }

    public void Dispose() => _bed.Dispose();
}
