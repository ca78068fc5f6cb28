namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the producer's memory bound (buffer.memory): reservations beyond it wait instead of growing
/// memory, waiters are served first come first served, and a cancelled or closed wait never keeps bytes.
/// </summary>
public sealed class BufferMemoryTests
{
    [Fact]
    public void ReserveAsync_CompletesAtOnce_WhileThereIsRoom()
    {
        var memory = new BufferMemory(100);
        Assert.True(memory.ReserveAsync(60, CancellationToken.None).IsCompletedSuccessfully);
        Assert.True(memory.ReserveAsync(40, CancellationToken.None).IsCompletedSuccessfully);
        Assert.Equal(100, memory.Used);
    }

    [Fact]
    public async Task ReserveAsync_WaitsWhenFull_AndIsGrantedByRelease()
    {
        var memory = new BufferMemory(100);
        await memory.ReserveAsync(90, CancellationToken.None);

        ValueTask waiting = memory.ReserveAsync(20, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, memory.WaiterCount);

        memory.Release(10);
        Assert.False(waiting.IsCompleted, "80 used + 20 fits only after 10 more bytes are free");
        memory.Release(10);
        await waiting.Within("waiting for the released bytes to be granted");
        Assert.Equal(90, memory.Used);
    }

    [Fact]
    public async Task Waiters_AreServedInArrivalOrder_AndSmallReservationsDoNotOvertake()
    {
        var memory = new BufferMemory(100);
        await memory.ReserveAsync(100, CancellationToken.None);
        ValueTask large = memory.ReserveAsync(80, CancellationToken.None);
        Assert.False(memory.TryReserve(1), "a new reservation must queue behind the waiting one");
        ValueTask small = memory.ReserveAsync(10, CancellationToken.None);

        memory.Release(50);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted, "the small one waits behind the large one even though it would fit");

        memory.Release(50);
        await large.Within("granting the first waiter");
        await small.Within("granting the second waiter");
        Assert.Equal(90, memory.Used);
    }

    [Fact]
    public async Task CancelledWait_HoldsNoBytes_AndDoesNotBlockTheNextWaiter()
    {
        var memory = new BufferMemory(100);
        await memory.ReserveAsync(100, CancellationToken.None);
        using var cancellation = new CancellationTokenSource();
        ValueTask cancelled = memory.ReserveAsync(50, cancellation.Token);
        ValueTask next = memory.ReserveAsync(30, CancellationToken.None);

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask());
        memory.Release(100);
        await next.Within("granting the waiter behind the cancelled one");
        Assert.Equal(30, memory.Used);
        Assert.Equal(0, memory.WaiterCount);
    }

    [Fact]
    public async Task Close_FailsWaiters_WithObjectDisposed()
    {
        var memory = new BufferMemory(10);
        await memory.ReserveAsync(10, CancellationToken.None);
        ValueTask waiting = memory.ReserveAsync(5, CancellationToken.None);
        memory.Close();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting.AsTask());
    }

    [Fact]
    public void Release_MoreThanReserved_Throws()
    {
        var memory = new BufferMemory(10);
        Assert.Throws<InvalidOperationException>(() => memory.Release(1));
    }
}
