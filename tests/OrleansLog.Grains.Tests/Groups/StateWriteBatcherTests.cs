using OrleansLog.Grains.Groups;
using Xunit;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects the coordinator's group commit: one write at a time, every change made during a write shares
/// the next one, a write that completes synchronously works, and a failed write fails every waiter and
/// every later call (the stored state is unknown after it).
/// </summary>
public sealed class StateWriteBatcherTests
{
    [Fact]
    public async Task WaitersArrivingDuringAWrite_ShareTheNextWrite()
    {
        // One exclusive scheduler runs the test and every continuation one at a time, as a grain's turns run.
        var turns = new ConcurrentExclusiveSchedulerPair().ExclusiveScheduler;
        await Task.Factory.StartNew(async () =>
        {
            long version = 1;
            var writes = new List<TaskCompletionSource<long>>();
            var batcher = new StateWriteBatcher(() =>
            {
                var write = new TaskCompletionSource<long>();
                long snapshot = version;
                writes.Add(write);
                return write.Task.ContinueWith(_ => snapshot, CancellationToken.None, TaskContinuationOptions.None, turns);
            });

            Task first = batcher.WaitDurableAsync(1, TestContext.Current.CancellationToken);
            Assert.Single(writes);
            version = 4;
            Task[] later = [batcher.WaitDurableAsync(2, TestContext.Current.CancellationToken), batcher.WaitDurableAsync(3, TestContext.Current.CancellationToken), batcher.WaitDurableAsync(4, TestContext.Current.CancellationToken)];
            Assert.Single(writes);

            writes[0].SetResult(0);
            await first.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            await LetQueuedTurnsRunAsync();
            Assert.Equal(1, batcher.DurableVersion);
            Assert.Equal(2, writes.Count);
            Assert.All(later, t => Assert.False(t.IsCompleted));

            writes[1].SetResult(0);
            await Task.WhenAll(later).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            Assert.Equal(4, batcher.DurableVersion);
            Assert.Equal(2, writes.Count);
        }, TestContext.Current.CancellationToken, TaskCreationOptions.None, turns).Unwrap();
    }

    [Fact]
    public async Task SynchronousWrites_Complete_AndAnAlreadyDurableVersionNeedsNoWrite()
    {
        int writes = 0;
        long version = 0;
        var batcher = new StateWriteBatcher(() =>
        {
            writes++;
            return Task.FromResult(version);
        });

        version = 1;
        await batcher.WaitDurableAsync(1, TestContext.Current.CancellationToken);
        version = 2;
        await batcher.WaitDurableAsync(2, TestContext.Current.CancellationToken);
        await batcher.WaitDurableAsync(2, TestContext.Current.CancellationToken);

        Assert.Equal((2, 2L), (writes, batcher.DurableVersion));
    }

    [Fact]
    public async Task FailedWrite_FailsItsWaiters_AndEveryLaterCall()
    {
        var disk = new IOException("disk full");
        var batcher = new StateWriteBatcher(() => Task.FromException<long>(disk));

        IOException first = await Assert.ThrowsAsync<IOException>(() => batcher.WaitDurableAsync(1, TestContext.Current.CancellationToken));
        InvalidOperationException later = await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.WaitDurableAsync(1, TestContext.Current.CancellationToken));

        Assert.Same(disk, first);
        Assert.Same(disk, later.InnerException);
        Assert.Same(disk, batcher.Failure);
        Assert.Equal(0, batcher.DurableVersion);
    }

    /// <summary>Yields the exclusive scheduler often enough for the continuations queued before to run.</summary>
    private static async Task LetQueuedTurnsRunAsync()
    {
        for (int i = 0; i < 20; i++)
        {
            await Task.Yield();
        }
    }
}
