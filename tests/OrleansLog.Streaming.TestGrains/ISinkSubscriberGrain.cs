namespace OrleansLog.Streaming.TestGrains;

/// <summary>The sink's grain interface: an implicit subscriber needs one for its key type (the stream key, a string).</summary>
[Alias("olog.tests.ISinkSubscriberGrain")]
public interface ISinkSubscriberGrain : IGrainWithStringKey;
