namespace OrleansLog.Streaming.TestGrains;

/// <summary>Produces events to a stream from inside the cluster (a grain producer, as opposed to a client one).</summary>
[Alias("olog.tests.IStreamProducerGrain")]
public interface IStreamProducerGrain : IGrainWithStringKey
{
    /// <summary>Sends events <paramref name="first"/>..first+count-1, one OnNextAsync each, awaiting each.</summary>
    [Alias("produce")]
    Task ProduceAsync(string provider, string streamNamespace, string streamKey, long first, int count);
}
