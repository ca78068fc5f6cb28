namespace OrleansLog.Streaming.TestGrains;

/// <summary>A subscriber the tests interrogate: what it received, in order, and the errors Orleans handed it.</summary>
[Alias("olog.tests.ISubscriberGrain")]
public interface ISubscriberGrain : IGrainWithStringKey
{
    [Alias("received")]
    Task<IReadOnlyList<ReceivedEvent>> GetReceivedAsync(int skip = 0);

    [Alias("count")]
    Task<int> CountAsync();

    [Alias("errors")]
    Task<IReadOnlyList<string>> GetErrorsAsync();
}
