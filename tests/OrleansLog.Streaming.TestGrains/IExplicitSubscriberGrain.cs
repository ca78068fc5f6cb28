namespace OrleansLog.Streaming.TestGrains;

/// <summary>Subscribes explicitly to stream (namespace, key of this grain) of a provider, from a token or a start position.</summary>
[Alias("olog.tests.IExplicitSubscriberGrain")]
public interface IExplicitSubscriberGrain : ISubscriberGrain
{
    /// <summary>Subscribes from <paramref name="fromOffset"/> (a token), or from the start position when null.</summary>
    [Alias("subscribe")]
    Task SubscribeAsync(string provider, string streamNamespace, long? fromOffset, bool earliest);
}
