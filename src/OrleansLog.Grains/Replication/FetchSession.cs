namespace OrleansLog.Grains.Replication;

/// <summary>
/// The leader's side of one follower node's fetch session (KIP-227's FetchSession): the partitions that
/// node fetches here with their fetch offsets and epochs, and what it was last told of each — high
/// watermark, log start, leader epoch. A request names only what changed; an answer carries only the
/// partitions with records, an error, or news, so a follower of thousands of quiet partitions costs a
/// request and an answer the size of what moved. A partition is read (which is also how the leader
/// learns that the follower is caught up, for ISR by lag) when its fetch offset or epoch changed, when it
/// has something the follower was not told, and otherwise at least every <paramref name="refreshInterval"/>.
/// Used from the replica manager grain's turns only.
/// </summary>
/// <param name="id">The session's id, never 0.</param>
/// <param name="refreshInterval">The longest a quiet partition goes unread; well below replica.lag.time.max.</param>
/// <param name="time">The clock for <paramref name="refreshInterval"/>.</param>
internal sealed class FetchSession(long id, TimeSpan refreshInterval, TimeProvider time)
{
    private const long NotSent = long.MinValue;
    private readonly Dictionary<TopicPartition, Entry> _partitions = [];
    private Entry[] _order = [];
    private int _rotation;

    public long Id { get; } = id;

    /// <summary>The epoch the follower's next request must carry (the full request that opened the session was 0).</summary>
    public int NextEpoch { get; private set; }

    public int Count => _partitions.Count;

    /// <summary>Applies a request's changes: added or changed partitions, then the forgotten ones.</summary>
    public void Update(IReadOnlyList<PartitionFetch> changed, IReadOnlyList<TopicPartition>? forgotten)
    {
        foreach (PartitionFetch fetch in changed)
        {
            if (_partitions.TryGetValue(fetch.Partition, out Entry? entry))
            {
                entry.Fetch = fetch;
                entry.LastRead = null;
            }
            else
            {
                _partitions[fetch.Partition] = new Entry(fetch);
            }
        }

        foreach (TopicPartition partition in forgotten ?? [])
        {
            _partitions.Remove(partition);
        }

        _order = [.. _partitions.Values];
    }

    /// <summary>
    /// Reads every partition of the session with <paramref name="read"/> (fetch offset, epoch, byte limit)
    /// and answers those worth telling. <paramref name="anything"/> is true when one has records or an
    /// error — what ends a long poll; news of a high watermark alone rides along with the next answer. The
    /// partition the byte budget starts with rotates, so none starves. Nothing is marked as told until
    /// <see cref="Commit"/>.
    /// </summary>
    /// <param name="maxBytes">The most bytes in the answer.</param>
    /// <param name="read">Reads one partition: a follower fetch at its offset and epoch, within a byte limit.</param>
    /// <param name="hasNothingNew">Cheaply, without reading: true when the partition's log end is the fetch offset and its high watermark, log start and epoch are the ones given.</param>
    /// <param name="anything">Whether the answer should end a long poll.</param>
    public NodeFetchResponse Fetch(
        int maxBytes, Func<PartitionFetch, int, ReplicaFetchResult> read, Func<PartitionFetch, long, long, bool> hasNothingNew, out bool anything)
    {
        long now = time.GetTimestamp();
        int count = _order.Length;
        var partitions = new List<TopicPartition>();
        var results = new List<ReplicaFetchResult>();
        int budget = Math.Max(1, maxBytes);
        int start = count == 0 ? 0 : (int)((uint)_rotation++ % (uint)count);
        anything = false;
        for (int n = 0; n < count; n++)
        {
            Entry entry = _order[(start + n) % count];
            if (entry.LastRead is { } lastRead && time.GetElapsedTime(lastRead, now) < refreshInterval
                && hasNothingNew(entry.Fetch, entry.SentHighWatermark, entry.SentLogStartOffset))
            {
                continue;
            }

            entry.LastRead = now;
            ReplicaFetchResult result = read(entry.Fetch, Math.Min(entry.Fetch.MaxBytes, budget));
            budget -= result.Records.Length;
            bool worth = result.Error != ErrorCode.None || result.Records.Length > 0;
            anything |= worth;
            if (worth || result.HighWatermark != entry.SentHighWatermark || result.LogStartOffset != entry.SentLogStartOffset || result.LeaderEpoch != entry.SentLeaderEpoch)
            {
                partitions.Add(entry.Fetch.Partition);
                results.Add(result);
            }
            else
            {
                result.Records.Dispose();
            }
        }

        return new NodeFetchResponse { SessionId = Id, Partitions = [.. partitions], Results = [.. results] };
    }

    /// <summary>The answer goes to the follower: what it carries counts as told, and the session moves to its next epoch.</summary>
    public void Commit(NodeFetchResponse response)
    {
        for (int i = 0; i < response.Partitions.Length; i++)
        {
            if (_partitions.TryGetValue(response.Partitions[i], out Entry? entry))
            {
                ReplicaFetchResult result = response.Results[i];
                entry.SentHighWatermark = result.HighWatermark;
                entry.SentLogStartOffset = result.LogStartOffset;
                entry.SentLeaderEpoch = result.LeaderEpoch;
            }
        }

        NextEpoch++;
    }

    private sealed class Entry(PartitionFetch fetch)
    {
        public PartitionFetch Fetch { get; set; } = fetch;

        public long SentHighWatermark { get; set; } = NotSent;

        public long SentLogStartOffset { get; set; } = NotSent;

        public int SentLeaderEpoch { get; set; } = int.MinValue;

        /// <summary>When the partition was last read; null when never, or when its fetch changed since.</summary>
        public long? LastRead { get; set; }
    }
}
