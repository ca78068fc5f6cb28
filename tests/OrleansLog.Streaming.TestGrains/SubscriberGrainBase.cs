using Orleans.Streams;

namespace OrleansLog.Streaming.TestGrains;

/// <summary>Records every <see cref="TestEvent"/> it is handed, with its token, and every error.</summary>
public abstract class SubscriberGrainBase : Grain, ISubscriberGrain, IAsyncObserver<TestEvent>
{
    private readonly List<ReceivedEvent> _received = [];
    private readonly List<string> _errors = [];

    public Task<IReadOnlyList<ReceivedEvent>> GetReceivedAsync(int skip = 0) =>
        Task.FromResult<IReadOnlyList<ReceivedEvent>>(_received.Skip(skip).ToList());

    public Task<int> CountAsync() => Task.FromResult(_received.Count);

    public Task<IReadOnlyList<string>> GetErrorsAsync() => Task.FromResult<IReadOnlyList<string>>(_errors.ToList());

    public virtual Task OnNextAsync(TestEvent item, StreamSequenceToken? token = null)
    {
        _received.Add(new ReceivedEvent(item.Sequence, token?.SequenceNumber ?? -1, token?.EventIndex ?? -1, item.Payload));
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        _errors.Add($"{ex.GetType().Name}: {ex.Message}");
        return Task.CompletedTask;
    }
}
