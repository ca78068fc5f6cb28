using System.Collections.Concurrent;

namespace OrleansLog.Simulation.Replication;

/// <summary>
/// The simulation's only thread of control: every continuation the code under test posts (awaits capture
/// this context) is queued here and run by <see cref="RunUntilIdle"/>, in order, on the simulation's
/// thread, so a seed replays exactly. A continuation posted from another thread (something escaped to the
/// thread pool) is still run, but counted in <see cref="ForeignPosts"/>, which the determinism check reads.
/// </summary>
internal sealed class SimulationContext : SynchronizationContext
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly int _threadId = Environment.CurrentManagedThreadId;

    /// <summary>Continuations posted from a thread other than the simulation's.</summary>
    public int ForeignPosts { get; private set; }

    /// <summary>Where the first foreign post came from (for the failure message).</summary>
    public string? FirstForeignPost { get; private set; }

    public override void Post(SendOrPostCallback d, object? state)
    {
        if (Environment.CurrentManagedThreadId != _threadId)
        {
            ForeignPosts++;
            FirstForeignPost ??= Environment.StackTrace;
        }

        _queue.Enqueue((d, state));
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("The simulation never blocks on its own thread.");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs queued continuations until none is left; returns how many ran.</summary>
    public int RunUntilIdle()
    {
        int ran = 0;
        while (_queue.TryDequeue(out var item))
        {
            item.Callback(item.State);
            ran++;
        }

        return ran;
    }

    /// <summary>Runs <paramref name="body"/> with this context as the thread's current one.</summary>
    public T Run<T>(Func<T> body)
    {
        SynchronizationContext? previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return body();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
