namespace OrleansLog.Client;

/// <summary>
/// Milliseconds since the clock was created, from the injected <see cref="TimeProvider"/>'s monotonic
/// timestamp (so wall-clock jumps never expire a batch early and tests can drive it with FakeTimeProvider).
/// </summary>
internal sealed class MonotonicClock(TimeProvider time)
{
    private readonly long _origin = time.GetTimestamp();

    public TimeProvider TimeProvider { get; } = time;

    public long NowMs => (long)TimeProvider.GetElapsedTime(_origin).TotalMilliseconds;
}
