using Orleans.Runtime;
using Orleans.Streams;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// Not an event: the receiver returns one for a stream whose subscriber is replaying from the log and whose
/// next events have just been read, because Orleans' pulling agent resumes an idle subscriber only when its
/// queue yields something for that stream. <see cref="PartitionCache.AddToCache"/> drops markers, so no
/// subscriber ever sees one.
/// </summary>
internal sealed class WakeMarker(StreamId streamId, StreamSequenceToken token) : IBatchContainer
{
    public StreamId StreamId { get; } = streamId;

    public StreamSequenceToken SequenceToken { get; } = token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>() => [];

    public bool ImportRequestContext() => false;
}
