namespace OrleansLog.Grains.Hosting;

/// <summary>
/// Bounds for grain calls on the paths that must keep working while a silo dies. Orleans does not fail a
/// call already in flight to a silo that was killed; it waits for its 30 s response timeout. A partition
/// taking office, a follower opening its log, and placement ask the topic grain and the local replica,
/// which may have been on that silo a moment ago.
/// </summary>
internal static class CallTimeouts
{
    /// <summary>How long one such call may take before the caller gives up and retries.</summary>
    public static readonly TimeSpan Control = TimeSpan.FromSeconds(3);

    /// <summary>A token cancelled by <paramref name="cancellationToken"/> or after <see cref="Control"/>.</summary>
    public static CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(Control);
        return source;
    }
}
