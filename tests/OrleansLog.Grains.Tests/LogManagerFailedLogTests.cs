using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Partitions;
using Xunit;

namespace OrleansLog.Grains.Tests;

/// <summary>
/// Protects what happens to a log that failed on this node (a write or fsync error): it is closed rather than
/// kept in the cache (so no later user gets the failed copy), the next open recovers it from disk with
/// everything it held, and it is reported — closed, then reopened — until a write on it succeeds again.
/// </summary>
public sealed class LogManagerFailedLogTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "olog-lmf-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly LogManager _logs;

    public LogManagerFailedLogTests() =>
        _logs = new LogManager(Options.Create(new OrleansLogOptions { DataDirectory = _directory }), TimeProvider.System, NullLoggerFactory.Instance);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AFailedLog_IsReportedAndClosed_AndTheNextOpenRecoversIt_ReportedUntilAWriteSucceeds()
    {
        var id = new TopicPartition("t", 0);
        Partition failed = await _logs.GetOrOpenAsync(id, new TopicConfig(), Guid.Empty, Token);
        failed.BecomeLeader(new OrleansLog.Grains.Replication.LeaderAndIsr("n", 1, ["n"], ["n"], 0), new OrleansLog.Grains.Tests.Partitions.RecordingLeaderHost());
        Assert.True((await failed.AppendAsync(OrleansLog.Grains.Tests.Partitions.PartitionTestBed.Batch("kept"), Acks.Leader, Token)).IsSuccess);

        _logs.ReportFailed(id, failed, "No space left on device (ENOSPC)");

        Assert.Matches(@"^No space left on device \(ENOSPC\) \(failed at \S+Z; closed; reopened by the next call to the partition on this node\)$", _logs.FailedLogs[id]);
        Assert.False(_logs.TryGet(id, out _));
        Assert.Equal(PartitionRole.None, failed.Role);

        Partition reopened = await _logs.GetOrOpenAsync(id, new TopicConfig(), Guid.Empty, Token);

        Assert.NotSame(failed, reopened);
        Assert.Equal(1, reopened.Log.LogEndOffset);
        Assert.EndsWith("; reopened, serving reads; no write has succeeded since)", _logs.FailureOf(id), StringComparison.Ordinal);

        reopened.BecomeLeader(new OrleansLog.Grains.Replication.LeaderAndIsr("n", 2, ["n"], ["n"], 0), new OrleansLog.Grains.Tests.Partitions.RecordingLeaderHost());
        Assert.True((await reopened.AppendAsync(OrleansLog.Grains.Tests.Partitions.PartitionTestBed.Batch("after"), Acks.Leader, Token)).IsSuccess);

        Assert.Empty(_logs.FailedLogs);
        Assert.Null(_logs.FailureOf(id));
    }

    [Fact]
    public async Task AReportForACopyAlreadyReplaced_LeavesTheNewCopyOpen()
    {
        var id = new TopicPartition("t", 1);
        Partition first = await _logs.GetOrOpenAsync(id, new TopicConfig(), Guid.Empty, Token);
        _logs.ReportFailed(id, first, "EIO");
        Partition second = await _logs.GetOrOpenAsync(id, new TopicConfig(), Guid.Empty, Token);

        _logs.ReportFailed(id, first, "EIO, reported late");

        Assert.True(_logs.TryGet(id, out Partition? open));
        Assert.Same(second, open);
    }

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
