namespace OrleansLog.Client.Tests;

/// <summary>
/// One ordered, thread-safe record of what happened — coordinator calls and rebalance callbacks alike — so
/// tests can assert their order, and wait for an entry with the wait armed before the trigger.
/// </summary>
internal sealed class CallLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _entries = [];
    private readonly List<(Func<IReadOnlyList<string>, bool> Condition, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<string> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The entries except heartbeats and offset lookups, whose number depends on timing.</summary>
    public IReadOnlyList<string> Significant => [.. Entries.Where(static e => e != "heartbeat" && !e.StartsWith("fetch-offsets", StringComparison.Ordinal))];

    public void Add(string entry)
    {
        List<TaskCompletionSource> done = [];
        lock (_gate)
        {
            _entries.Add(entry);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Condition(_entries))
                {
                    done.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (TaskCompletionSource waiter in done)
        {
            waiter.TrySetResult();
        }
    }

    public int Count(string prefix)
    {
        lock (_gate)
        {
            return _entries.Count(e => e.StartsWith(prefix, StringComparison.Ordinal));
        }
    }

    /// <summary>Completes once <paramref name="count"/> entries start with <paramref name="prefix"/> (at once if they already do).</summary>
    public Task WaitForCountAsync(string prefix, int count) =>
        WaitForAsync(entries => entries.Count(e => e.StartsWith(prefix, StringComparison.Ordinal)) >= count);

    private Task WaitForAsync(Func<IReadOnlyList<string>, bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(_entries))
            {
                return Task.CompletedTask;
            }

            _waiters.Add((condition, done));
        }

        return done.Task;
    }
}
