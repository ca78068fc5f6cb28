namespace OrleansLog.Grains.Replication;

/// <summary>
/// A wake-up shared by many waiters and fired by many writers: <see cref="Next"/> completes at the next
/// <see cref="Signal"/>. Firing costs nothing while nobody waits (no allocation on the produce path), and
/// continuations never run inline in the signaller.
/// </summary>
internal sealed class DataSignal
{
    private TaskCompletionSource _next = New();
    private int _armed;

    /// <summary>Completes at the next <see cref="Signal"/> after this call.</summary>
    public Task Next
    {
        get
        {
            Volatile.Write(ref _armed, 1);
            return Volatile.Read(ref _next).Task;
        }
    }

    public void Signal()
    {
        if (Volatile.Read(ref _armed) == 0 || Interlocked.Exchange(ref _armed, 0) == 0)
        {
            return;
        }

        Interlocked.Exchange(ref _next, New()).TrySetResult();
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
