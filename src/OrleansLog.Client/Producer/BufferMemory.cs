namespace OrleansLog.Client;

/// <summary>
/// The producer's bound on buffered record bytes (Kafka's <c>buffer.memory</c>). A record reserves its
/// encoded size before it is appended and its batch gives the bytes back once delivered or failed; while
/// the bound is reached, producers wait here, first come first served, instead of growing memory.
/// </summary>
/// <remarks>
/// Thread-safe. The fast path is one compare-and-swap on <see cref="Used"/>; the lock is taken only when
/// someone has to wait or is waiting. A new reservation never overtakes a waiting one, so a large record
/// cannot starve behind a stream of small ones.
/// </remarks>
internal sealed class BufferMemory
{
    private readonly Lock _gate = new();
    private readonly Queue<Waiter> _waiters = new();
    private long _used;
    private int _waiterCount;
    private bool _closed;

    public BufferMemory(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        CapacityBytes = capacityBytes;
    }

    public long CapacityBytes { get; }

    /// <summary>Bytes reserved right now.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Number of reservations waiting for space.</summary>
    public int WaiterCount => Volatile.Read(ref _waiterCount);

    /// <summary>Reserves <paramref name="bytes"/> if they fit now and nobody is waiting.</summary>
    public bool TryReserve(int bytes)
    {
        if (Volatile.Read(ref _waiterCount) > 0)
        {
            return false;
        }

        return TryAdd(bytes);
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/>, waiting for space if needed. Completes synchronously when space is
    /// free. Throws <see cref="ObjectDisposedException"/> once <see cref="Close"/> was called.
    /// </summary>
    public ValueTask ReserveAsync(int bytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, CapacityBytes);
        if (TryReserve(bytes))
        {
            return ValueTask.CompletedTask;
        }

        return new ValueTask(WaitAsync(bytes, cancellationToken));
    }

    /// <summary>Gives back bytes reserved earlier and wakes waiters that now fit, in order.</summary>
    public void Release(long bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        long after = Interlocked.Add(ref _used, -bytes);
        if (after < 0)
        {
            throw new InvalidOperationException($"Buffer memory released more than was reserved: used would be {after} bytes.");
        }

        // Interlocked.Add is a full fence: a waiter that registered before it either saw the freed space on
        // its re-check or is visible in _waiterCount here.
        if (Volatile.Read(ref _waiterCount) > 0)
        {
            GrantWaiters();
        }
    }

    /// <summary>Fails all current and future waits with <see cref="ObjectDisposedException"/>.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            while (_waiters.TryDequeue(out Waiter? waiter))
            {
                Interlocked.Decrement(ref _waiterCount);
                waiter.Completion.TrySetException(new ObjectDisposedException(nameof(OrleansLogProducer), "The producer was disposed while a record waited for buffer memory."));
                waiter.Registration.Dispose();
            }
        }
    }

    private async Task WaitAsync(int bytes, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            Interlocked.Increment(ref _waiterCount);
            if (_waiters.Count == 0 && TryAdd(bytes))
            {
                Interlocked.Decrement(ref _waiterCount);
                return;
            }

            waiter = new Waiter(bytes);
            _waiters.Enqueue(waiter);
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.UnsafeRegister(
                    static (state, token) => ((Waiter)state!).Completion.TrySetCanceled(token), waiter);
            }
        }

        // A cancelled waiter stays queued until GrantWaiters skips it; a grant that loses the race to the
        // cancellation gives the bytes back itself, so a cancelled wait never holds memory.
        await waiter.Completion.Task.ConfigureAwait(false);
    }

    private void GrantWaiters()
    {
        lock (_gate)
        {
            while (_waiters.TryPeek(out Waiter? head))
            {
                if (head.Completion.Task.IsCompleted)
                {
                    _waiters.Dequeue();
                    Interlocked.Decrement(ref _waiterCount);
                    continue;
                }

                if (!TryAdd(head.Bytes))
                {
                    return;
                }

                _waiters.Dequeue();
                Interlocked.Decrement(ref _waiterCount);
                head.Registration.Dispose();
                if (!head.Completion.TrySetResult())
                {
                    Interlocked.Add(ref _used, -head.Bytes);
                }
            }
        }
    }

    private bool TryAdd(long bytes)
    {
        long used = Volatile.Read(ref _used);
        while (true)
        {
            if (used + bytes > CapacityBytes)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _used, used + bytes, used);
            if (seen == used)
            {
                return true;
            }

            used = seen;
        }
    }

    private sealed class Waiter(int bytes)
    {
        public int Bytes { get; } = bytes;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
