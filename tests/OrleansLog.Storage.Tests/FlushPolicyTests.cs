using Microsoft.Extensions.Time.Testing;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects the durability contract of each flush policy: under Always an append is acknowledged only
/// after the fsync that covers it, and concurrent appends (across 16 logs) share fsyncs through the
/// group-commit scheduler; under Interval the scheduler flushes on its clock; under None appends return
/// at once and a flush moves the recovery point.
/// </summary>
public sealed class FlushPolicyTests
{
    [Fact]
    public async Task Always_AppendDoesNotComplete_BeforeItsFsync()
    {
        using var harness = new LogHarness();
        using var gate = new ManualResetEventSlim(false);
        var fileSystem = new FaultInjectingFileSystem { FlushGate = gate };
        harness.FileSystem = fileSystem;
        harness.Options.FlushPolicy = FlushPolicy.Always;
        PartitionLog log = harness.Open();
        try
        {
            // The fsync is held at the gate: the append must still be waiting once the fsync has begun.
            byte[] batch = TestBatches.Create(1, 100, 1_000);
            Task<LogAppendInfo> append = log.AppendAsync(batch, 0, TestContext.Current.CancellationToken).AsTask();
            await Wait.UntilAsync(() => fileSystem.FlushesStarted >= 1, "the commit scheduler to start the fsync");
            Assert.False(append.IsCompleted, "the append completed before its fsync finished");

            gate.Set();
            LogAppendInfo info = await Wait.ForAsync(append, "the append to complete after the fsync");
            Assert.Equal(0, info.BaseOffset);
            Assert.True(fileSystem.FlushesCompleted >= 1);
        }
        finally
        {
            gate.Set();
            log.Close();
        }
    }

    [Fact]
    public async Task Always_SixteenLogsAppendingConcurrently_ShareFsyncs()
    {
        using var temp = new TempDirectory();
        using var gate = new ManualResetEventSlim(false);
        var fileSystem = new FaultInjectingFileSystem { FlushGate = gate };
        using var scheduler = new CommitScheduler();
        var options = new PartitionLogOptions { FlushPolicy = FlushPolicy.Always };
        const int Logs = 16;
        const int AppendsPerLog = 20;
        PartitionLog[] logs = Enumerable.Range(0, Logs)
            .Select(p => PartitionLog.Open(temp.Partition("events", p), options, scheduler, fileSystem: fileSystem))
            .ToArray();
        long fsyncsBefore = scheduler.FsyncCount;
        try
        {
            // Every log issues all its appends while the first fsync is held, so they pile up behind it.
            Task<LogAppendInfo[]>[] appenders = logs.Select(log => Task.Run(() =>
            {
                var pending = new List<Task<LogAppendInfo>>();
                for (int i = 0; i < AppendsPerLog; i++)
                {
                    pending.Add(log.AppendAsync(TestBatches.Create(1, 64, 1_000, seed: i), 0, TestContext.Current.CancellationToken).AsTask());
                }

                return Task.WhenAll(pending);
            })).ToArray();
            await Wait.UntilAsync(() => logs.Sum(l => l.LogEndOffset) == Logs * AppendsPerLog, "all appends to be written");
            gate.Set();
            LogAppendInfo[][] results = await Wait.ForAsync(Task.WhenAll(appenders), "all appends to be acknowledged");

            long fsyncs = scheduler.FsyncCount - fsyncsBefore;
            Assert.All(results, r => Assert.Equal(Enumerable.Range(0, AppendsPerLog).Select(i => (long)i), r.Select(i => i.BaseOffset)));
            Assert.True(fsyncs < Logs * AppendsPerLog, $"{fsyncs} fsyncs for {Logs * AppendsPerLog} appends: no sharing");
            Assert.True(fsyncs <= 3 * Logs, $"{fsyncs} fsyncs for {Logs} logs whose appends were all queued before one round");
        }
        finally
        {
            gate.Set();
            foreach (PartitionLog log in logs)
            {
                log.Close();
            }
        }
    }

    [Fact]
    public async Task None_AppendCompletesSynchronously_AndFlushMovesTheRecoveryPoint()
    {
        using var harness = new LogHarness();
        PartitionLog log = harness.Open();
        ValueTask<LogAppendInfo> append = log.AppendAsync(TestBatches.Create(3, 10, 1_000), 0, TestContext.Current.CancellationToken);
        Assert.True(append.IsCompletedSuccessfully);
        Assert.Equal(0, log.RecoveryPoint);

        await log.FlushAsync(TestContext.Current.CancellationToken).WaitAsync(Wait.DefaultTimeout, TestContext.Current.CancellationToken);
        Assert.Equal(3, log.RecoveryPoint);
        Assert.Contains("orders 0 3", File.ReadAllText(Path.Combine(harness.Directory, LogFileNames.RecoveryPointCheckpoint)), StringComparison.Ordinal);
        log.Close();
    }

    [Fact]
    public async Task Interval_FlushesOnTheSchedulersClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
        using var harness = new LogHarness(time);
        harness.Options.FlushPolicy = FlushPolicy.Interval;
        harness.Options.FlushIntervalMs = 5_000;
        PartitionLog log = harness.Open();
        await harness.AppendAsync(log, records: 4);
        Assert.Equal(0, log.RecoveryPoint);

        time.Advance(TimeSpan.FromMilliseconds(5_000));
        await Wait.UntilAsync(() => log.RecoveryPoint == 4, "the interval flush to move the recovery point to 4");
        log.Close();
    }
}
