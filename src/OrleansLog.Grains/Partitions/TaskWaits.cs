namespace OrleansLog.Grains.Partitions;

/// <summary>Waiting for a task with a deadline, without hopping threads.</summary>
internal static class TaskWaits
{
    /// <summary>
    /// Waits for <paramref name="task"/> up to <paramref name="timeout"/> (on <paramref name="time"/>'s clock)
    /// or until <paramref name="cancellationToken"/> fires; true when the task completed (in any state: the
    /// caller reads its outcome). Unlike <c>Task.WhenAny</c> or <c>Task.WaitAsync</c> over a task whose
    /// continuations run asynchronously (every signal here is one), the wake-up never hops through the
    /// thread pool: it resumes where the caller's await resumes — the grain's scheduler, or the replication
    /// simulation's single thread, which is what keeps a simulated run deterministic.
    /// </summary>
    public static async Task<bool> CompletesWithinAsync(this Task task, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (task.IsCompleted)
        {
            return true;
        }

        if (cancellationToken.IsCancellationRequested || timeout <= TimeSpan.Zero)
        {
            return false;
        }

        // Synchronous continuations: the only one is this method's own await, which resumes on its context.
        var woken = new TaskCompletionSource<bool>();
        using ITimer timer = time.CreateTimer(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), woken, timeout, Timeout.InfiniteTimeSpan);
        using CancellationTokenRegistration registration = cancellationToken.Register(static state => ((TaskCompletionSource<bool>)state!).TrySetResult(false), woken);
        _ = ForwardCompletionAsync(task, woken);
        return await woken.Task;
    }

    private static async Task ForwardCompletionAsync(Task task, TaskCompletionSource<bool> woken)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // The caller reads the task's outcome itself; here it only matters that it ended.
        }

        woken.TrySetResult(true);
    }
}
