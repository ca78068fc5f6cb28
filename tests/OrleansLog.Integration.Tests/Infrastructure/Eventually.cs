using System.Diagnostics;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>Waits on a condition with a deadline; the failure says what was expected and what was seen last.</summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        TimeSpan timeout,
        string expectation,
        CancellationToken cancellationToken = default)
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
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = ex;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException(
            $"Timed out after {timeout.TotalSeconds:0.#} s waiting for {expectation}; last value: {last}" +
            (lastError is null ? string.Empty : $"; last error: {lastError.GetType().Name}: {lastError.Message}"));
    }
}
