using System.Threading.Tasks.Sources;

namespace OrleansLog.Storage;

/// <summary>
/// A pooled, reusable completion for one <see cref="FlushPolicy.Always"/> append: the append returns a
/// <see cref="ValueTask{TResult}"/> over it, the commit scheduler completes it after the fsync that covers
/// the append, and it goes back to its log's pool when the awaiter has read the result, so steady-state
/// appends allocate nothing. Continuations run on the thread pool, never on the scheduler's thread.
/// Thread-safety: one completer, one awaiter, as <see cref="ManualResetValueTaskSourceCore{TResult}"/>.
/// </summary>
internal sealed class CommitWaiter : IValueTaskSource<LogAppendInfo>
{
    private readonly Action<CommitWaiter> _return;
    private ManualResetValueTaskSourceCore<LogAppendInfo> _core = new() { RunContinuationsAsynchronously = true };

    public CommitWaiter(Action<CommitWaiter> returnToPool) => _return = returnToPool;

    public LogAppendInfo Info { get; set; }

    public ValueTask<LogAppendInfo> AsValueTask() => new(this, _core.Version);

    public void Complete() => _core.SetResult(Info);

    public void Fail(Exception error) => _core.SetException(error);

    public LogAppendInfo GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            _return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
