using System.Diagnostics;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>
/// Waits on a condition with a deadline; the failure says what was expected and what was seen last (through
/// <c>describe</c> when the value's own text says little). Also compiled into the stream tests.
/// </summary>
internal static class Eventually
{
    public static Task<T> WaitAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        TimeSpan timeout,
        string expectation,
        CancellationToken cancellationToken = default) =>
        WaitAsync(probe, done, timeout, expectation, describe: null, cancellationToken);

    /// <param name="describe">Says what the last value was, for the failure message.</param>
    public static async Task<T> WaitAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> done,
        TimeSpan timeout,
        string expectation,
        Func<T, string>? describe,
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
            $"Timed out after {timeout.TotalSeconds:0.#} s waiting for {expectation}; last value: {(last is null ? "none" : describe?.Invoke(last) ?? last.ToString())}" +
            (lastError is null ? string.Empty : $"; last error: {lastError.GetType().Name}: {lastError.Message}"));
    }
}
