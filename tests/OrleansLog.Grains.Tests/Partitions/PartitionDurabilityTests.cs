using OrleansLog.Grains.Partitions;
using Xunit;

namespace OrleansLog.Grains.Tests.Partitions;

/// <summary>
/// Protects what flush.messages=1 promises, found by the replication simulation: the leader's own copy
/// counts towards the high watermark only once it is fsynced, so no consumer reads and no producer is told
/// of a record that a power cut on the leader takes back — also when the ISR is the leader alone, and when a
/// copy takes office with a follower append's fsync still pending. And an append whose bytes are truncated
/// away before their fsync (its leader was deposed) is answered with a retriable error, not an exception.
/// </summary>
public sealed class PartitionDurabilityTests : IDisposable
{
    private static readonly string[] OneNode = ["A"];
    private static readonly string[] TwoNodes = ["A", "B"];
    private readonly PartitionTestBed _bed = new(new TopicConfig { FlushMessages = 1 }, manualCommits: true);
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithTheLeaderAloneInTheIsr_TheHighWatermarkWaitsForTheLeadersFsync()
    {
        Partition leader = _bed.Lead("A", 1, OneNode);
        _bed.RunCommitWork(); // the flush that confirms the (empty) log when it took office

        Task<AppendResult> append = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.All, Token);

        Assert.False(append.IsCompleted);
        Assert.Equal(0, leader.HighWatermark);
        FetchResult read = await leader.FetchAsync(new FetchRequest(0, 1 << 20, 0, 0), Token);
        Assert.Equal(0, read.Records.Length);
        read.Records.Dispose();

        Assert.True(_bed.RunCommitWork() > 0);
        AppendResult result = await append.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(result.IsSuccess, result.Message);
        Assert.Equal(1, leader.HighWatermark);
    }

    [Fact]
    public async Task ACopyTakingOfficeWithAnUnsyncedTail_CountsItOnlyAfterAFlush()
    {
        Partition leader = _bed.Lead("A", 1, TwoNodes);
        _bed.RunCommitWork();
        Task<AppendResult> append = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.Leader, Token);
        _bed.RunCommitWork();
        Assert.True((await append.WaitAsync(TimeSpan.FromSeconds(10), Token)).IsSuccess);

        // B copies offset 0; its fsync is still queued when it takes office.
        Task copied = _bed.CopyAsync("A", "B", 1);
        Assert.Equal(1, _bed["B"].Log.LogEndOffset);
        leader.Resign(ErrorCode.NotLeaderOrFollower, "test: B takes over");
        _bed["B"].StopFollowing();
        Partition successor = _bed.Lead("B", 2, ["B", "A"], ["B"]);

        Assert.Equal(0, successor.HighWatermark);

        _bed.RunCommitWork();
        await copied.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await WaitUntilAsync(successor, () => successor.HighWatermark == 1, "the successor's HW to reach its flushed log end 1");
    }

    [Fact]
    public async Task ASingleReplicaTakingOfficeWithAnUnsyncedTail_DoesNotServeItBeforeAFlush()
    {
        Partition leader = _bed.Lead("A", 1, OneNode);
        _bed.RunCommitWork();
        Task<AppendResult> unsynced = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.None, Token);
        leader.Resign(ErrorCode.NotLeaderOrFollower, "test: the activation moved");

        Partition again = _bed.Lead("A", 2, OneNode);

        Assert.Equal(0, again.HighWatermark);
        _bed.RunCommitWork();
        await unsynced.WaitAsync(TimeSpan.FromSeconds(10), Token);
        await WaitUntilAsync(again, () => again.HighWatermark == 1, "the HW to reach the flushed log end 1");
    }

    [Fact]
    public async Task AnAppendTruncatedAwayBeforeItsFsync_IsAnsweredNotLeaderOrFollower()
    {
        Partition leader = _bed.Lead("A", 1, TwoNodes);
        _bed.RunCommitWork();
        Task<AppendResult> append = leader.AppendAsync(PartitionTestBed.Batch("x"), Acks.Leader, Token);
        Assert.False(append.IsCompleted);

        leader.BecomeFollower(); // deposed: a newer leader's log does not have offset 0
        leader.TruncateTo(0);

        AppendResult result = await append.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.Equal(ErrorCode.NotLeaderOrFollower, result.Error);
        Assert.Contains("truncated away", result.Message);
    }

    /// <summary>Waits, up to 10 s, for <paramref name="condition"/>, re-checking whenever the partition signals a change.</summary>
    private static async Task WaitUntilAsync(Partition partition, Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            Task changed = partition.DataArrived;
            if (condition())
            {
                return;
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"timed out waiting for {what}");
            await changed.WaitAsync(left, Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public void Dispose() => _bed.Dispose();
}
