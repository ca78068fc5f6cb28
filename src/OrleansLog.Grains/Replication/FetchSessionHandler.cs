namespace OrleansLog.Grains.Replication;

/// <summary>
/// The follower's side of its fetch session with one leader node (Kafka's FetchSessionHandler): builds
/// each request as the difference between the partitions it wants now and what the leader's session holds,
/// and starts over with a full request whenever the session is lost — a failed call, or the leader no
/// longer knowing the session or its epoch. Used from one fetcher's loop only.
/// </summary>
internal sealed class FetchSessionHandler
{
    private Dictionary<TopicPartition, PartitionFetch> _session = [];
    private Dictionary<TopicPartition, PartitionFetch>? _pending;
    private long _id;
    private int _epoch;

    /// <summary>The request for <paramref name="wanted"/>: full without a session, else only what changed.</summary>
    public NodeFetchRequest Build(string follower, int maxWaitMs, int maxBytes, IReadOnlyList<PartitionFetch> wanted)
    {
        var next = new Dictionary<TopicPartition, PartitionFetch>(wanted.Count);
        foreach (PartitionFetch fetch in wanted)
        {
            next[fetch.Partition] = fetch;
        }

        _pending = next;
        if (_id == 0)
        {
            return new NodeFetchRequest(follower, maxWaitMs, maxBytes, [.. next.Values]);
        }

        List<PartitionFetch> changed = [.. next.Values.Where(f => !_session.TryGetValue(f.Partition, out PartitionFetch? held) || held != f)];
        List<TopicPartition> forgotten = [.. _session.Keys.Where(p => !next.ContainsKey(p))];
        return new NodeFetchRequest(follower, maxWaitMs, maxBytes, changed, _id, _epoch, forgotten);
    }

    /// <summary>Takes the answer to the last built request: true when it belongs to the session; false when the session was lost (the next request is full).</summary>
    public bool Accept(NodeFetchResponse response)
    {
        if (response.Error != ErrorCode.None || _pending is null)
        {
            Reset();
            return false;
        }

        _epoch = response.SessionId == _id ? _epoch + 1 : 1;
        _id = response.SessionId;
        _session = _pending;
        _pending = null;
        return true;
    }

    /// <summary>The call failed: whether the leader applied it is unknown, so the next request is full.</summary>
    public void Reset()
    {
        _id = 0;
        _epoch = 0;
        _session = [];
        _pending = null;
    }
}
