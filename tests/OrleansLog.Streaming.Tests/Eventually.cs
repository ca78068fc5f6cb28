using System.Diagnostics;

namespace OrleansLog.Streaming.Tests;

/// <summary>Waits on a condition with a deadline; the failure says what was expected and what was seen last.</summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string expectation, Func<T, string>? describe = null)
    {
        var clock = Stopwatch.StartNew();
        T last = default!;
        Exception? lastError = null;
        while (clock.Elapsed < timeout)
        {
            try
            {
                last = await probe();
                lastError = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception ex)
            {
                lastError = ex;
            }

            await Task.Delay(50);
        }

        string seen = last is null ? "nothing" : describe?.Invoke(last) ?? last.ToString() ?? "null";
        throw new TimeoutException(
            $"Timed out after {timeout.TotalSeconds:0.#} s waiting for {expectation}; last seen: {seen}" +
            (lastError is null ? string.Empty : $"; last error: {lastError.GetType().Name}: {lastError.Message}"));
    }
}
