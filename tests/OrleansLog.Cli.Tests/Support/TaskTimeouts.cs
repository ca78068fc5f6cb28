namespace OrleansLog.Cli.Tests.Support;

/// <summary>
/// Bounds every wait in these tests so a regression fails with the phase it hung in instead of hanging the
/// run. Ten seconds is far beyond any correct run (they take milliseconds) and tolerant of a loaded CI box.
/// </summary>
internal static class TaskTimeouts
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public static async Task Within(this Task task, string phase)
    {
        try
        {
            await task.WaitAsync(Limit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Limit.TotalSeconds} s while {phase}.");
        }
    }

    public static async Task<T> Within<T>(this Task<T> task, string phase)
    {
        try
        {
            return await task.WaitAsync(Limit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Limit.TotalSeconds} s while {phase}.");
        }
    }

    public static Task Within(this ValueTask task, string phase) => task.AsTask().Within(phase);

    public static Task<T> Within<T>(this ValueTask<T> task, string phase) => task.AsTask().Within(phase);
}
