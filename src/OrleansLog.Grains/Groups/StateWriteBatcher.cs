namespace OrleansLog.Grains.Groups;

/// <summary>
/// Group commit for one grain's durable state. Callers say which version of the state they need durable;
/// at most one write runs at a time, and each write stores the newest version there is when it starts,
/// so every change made while a write is in flight shares the next one. With one writer per group, N
/// concurrent commits to a group cost about two writes instead of N.
/// </summary>
/// <remarks>
/// Failure is sticky (as a failed fsync is in the log): after a write fails, what the store holds is
/// unknown, so every later call fails with the original exception until the owner is rebuilt from storage.
/// Not thread-safe: the owning grain calls it from its turns, which never run in parallel.
/// </remarks>
internal sealed class StateWriteBatcher(Func<Task<long>> write)
{
    private Task? _writing;
    private Exception? _failure;

    /// <summary>The newest version known to be durable.</summary>
    public long DurableVersion { get; private set; }

    /// <summary>The failure that stopped this writer, or null.</summary>
    public Exception? Failure => _failure;

    /// <summary>
    /// Completes once <paramref name="version"/> (or a newer one) is durable; throws if a write failed.
    /// Cancelling stops the wait, not the write: the change may still become durable.
    /// </summary>
    public async Task WaitDurableAsync(long version, CancellationToken cancellationToken = default)
    {
        while (DurableVersion < version)
        {
            if (_failure is not null)
            {
                throw new InvalidOperationException("An earlier state write failed; the durable state is unknown.", _failure);
            }

            Task write = _writing ?? StartWrite();
            await (cancellationToken.CanBeCanceled ? write.WaitAsync(cancellationToken) : write);
        }
    }

    private Task StartWrite()
    {
        Task running = WriteOnceAsync();

        // A write that completed synchronously has already cleared _writing; don't resurrect it.
        if (!running.IsCompleted)
        {
            _writing = running;
        }

        return running;
    }

    private async Task WriteOnceAsync()
    {
        try
        {
            long version = await write();
            DurableVersion = Math.Max(DurableVersion, version);
        }
        catch (Exception ex)
        {
            _failure ??= ex;
            throw;
        }
        finally
        {
            _writing = null;
        }
    }
}
