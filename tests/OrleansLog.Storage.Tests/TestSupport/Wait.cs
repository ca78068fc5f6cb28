using System.Diagnostics;

namespace OrleansLog.Storage.Tests.TestSupport;

/// <summary>Waits for a condition with a deadline instead of sleeping; the failure says what was awaited.</summary>
internal static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task UntilAsync(Func<bool> condition, string waitingFor, TimeSpan? timeout = null)
    {
        var stopwatch = Stopwatch.StartNew();
        TimeSpan limit = timeout ?? DefaultTimeout;
        while (!condition())
        {
            if (stopwatch.Elapsed > limit)
            {
                throw new TimeoutException($"Timed out after {limit.TotalSeconds:F0} s waiting for {waitingFor}.");
            }

            await Task.Yield();
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Awaits a task with a deadline; the failure names the phase.</summary>
    public static async Task ForAsync(Task task, string phase, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        Task finished = await Task.WhenAny(task, Task.Delay(limit, TestContext.Current.CancellationToken));
        if (finished != task)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:F0} s waiting for {phase}.");
        }

        await task;
    }

    /// <summary>Awaits a task with a deadline; the failure names the phase.</summary>
    public static async Task<T> ForAsync<T>(Task<T> task, string phase, TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        Task finished = await Task.WhenAny(task, Task.Delay(limit, TestContext.Current.CancellationToken));
        if (finished != task)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:F0} s waiting for {phase}.");
        }

        return await task;
    }
}
