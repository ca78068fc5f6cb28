using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization.Buffers;
using OrleansLog.Grains.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects incremental fetch sessions between a follower node and a leader node (KIP-227):
/// <see cref="FetchSessionHandler"/> (follower) names only the partitions whose fetch offset or epoch
/// changed and those it dropped, and starts over with a full request whenever the session is lost;
/// <see cref="FetchSession"/> (leader) answers only partitions with records, an error or news the follower
/// has not been told, yet never loses news the follower did not receive, and reads a quiet partition only
/// once per refresh interval (which keeps the follower's caught-up time fresh); both count epochs alike.
/// </summary>
public sealed class FetchSessionTests
{
    private static readonly TopicPartition P0 = new("orders", 0);
    private static readonly TopicPartition P1 = new("orders", 1);
    private static readonly TopicPartition P2 = new("orders", 2);

    private readonly Dictionary<TopicPartition, (long HighWatermark, int Records)> _leader = new()
    {
        [P0] = (10, 0),
        [P1] = (20, 0),
        [P2] = (30, 0),
    };

    private readonly FakeTimeProvider _time = new();
    private readonly Dictionary<TopicPartition, int> _reads = [];

    [Fact]
    public void AQuietPartition_IsReadOnlyOncePerRefreshInterval_ButAtOnceWhenItChanges()
    {
        var handler = new FetchSessionHandler();
        FetchSession session = Open(handler, Wanted(0, 0, 0), out _);
        Assert.Equal(1, _reads[P0]);

        RoundTrip(handler, session, Wanted(0, 0, 0), out _, out _);
        Assert.Equal(1, _reads[P0]);

        _leader[P0] = (11, 0);
        RoundTrip(handler, session, Wanted(0, 0, 0), out _, out _);
        Assert.Equal(2, _reads[P0]);
        Assert.Equal(1, _reads[P1]);

        RoundTrip(handler, session, Wanted(0, 5, 0), out _, out _);
        Assert.Equal(2, _reads[P1]); // its fetch offset moved: the follower's progress must reach the leader

        _time.Advance(TimeSpan.FromSeconds(1));
        RoundTrip(handler, session, Wanted(0, 5, 0), out _, out _);
        Assert.Equal(2, _reads[P2]);
    }

    [Fact]
    public void AQuietSession_AnswersEveryPartitionOnceThenNone()
    {
        var handler = new FetchSessionHandler();
        FetchSession session = Open(handler, Wanted(0, 0, 0), out NodeFetchResponse first);
        Assert.Equal([P0, P1, P2], first.Partitions.OrderBy(p => p.Partition));

        NodeFetchResponse second = RoundTrip(handler, session, Wanted(0, 0, 0), out bool anything, out NodeFetchRequest request);

        Assert.Empty(request.Partitions);
        Assert.Empty(request.Forgotten!);
        Assert.Empty(second.Partitions);
        Assert.False(anything);
    }

    [Fact]
    public void OnlyPartitionsWithRecordsOrNews_AreAnswered_AndOnlyRecordsEndTheWait()
    {
        var handler = new FetchSessionHandler();
        FetchSession session = Open(handler, Wanted(0, 0, 0), out _);

        _leader[P1] = (21, 0);
        NodeFetchResponse news = RoundTrip(handler, session, Wanted(0, 0, 0), out bool anything, out _);
        Assert.Equal([P1], news.Partitions);
        Assert.Equal(21, news.Results[0].HighWatermark);
        Assert.False(anything);

        _leader[P2] = (30, 3);
        NodeFetchResponse records = RoundTrip(handler, session, Wanted(0, 0, 0), out anything, out _);
        Assert.Equal([P2], records.Partitions);
        Assert.True(anything);
    }

    [Fact]
    public void NewsInAnAnswerNeverCommitted_IsToldAgain()
    {
        var handler = new FetchSessionHandler();
        FetchSession session = Open(handler, Wanted(0, 0, 0), out _);
        _leader[P0] = (11, 0);

        // The leader built an answer but the long poll went on (nothing worth ending it): not committed.
        NodeFetchRequest request = handler.Build("B", 500, 1 << 20, Wanted(0, 0, 0));
        session.Update(request.Partitions, request.Forgotten);
        NodeFetchResponse discarded = session.Fetch(request.MaxBytes, Read, HasNothingNew, out _);
        Assert.Equal([P0], discarded.Partitions);

        NodeFetchResponse sent = session.Fetch(request.MaxBytes, Read, HasNothingNew, out _);
        session.Commit(sent);
        Assert.True(handler.Accept(sent));
        Assert.Equal([P0], sent.Partitions);
    }

    [Fact]
    public void AnIncrementalRequest_NamesOnlyWhatMovedAndWhatWasDropped()
    {
        var handler = new FetchSessionHandler();
        FetchSession session = Open(handler, Wanted(0, 0, 0), out _);

        PartitionFetch[] next = [Fetch(P0, 5), Fetch(P1, 0)];
        NodeFetchRequest request = handler.Build("B", 500, 1 << 20, next);

        Assert.Equal([Fetch(P0, 5)], request.Partitions);
        Assert.Equal([P2], request.Forgotten);
        Assert.Equal(session.Id, request.SessionId);
        Assert.Equal(session.NextEpoch, request.SessionEpoch);
        session.Update(request.Partitions, request.Forgotten);
        Assert.Equal(2, session.Count);
    }

    [Fact]
    public void EpochsAgree_OverManyRounds()
    {
        var handler = new FetchSessionHandler();
        FetchSession session = Open(handler, Wanted(0, 0, 0), out _);
        for (int round = 1; round <= 5; round++)
        {
            NodeFetchRequest request = handler.Build("B", 500, 1 << 20, Wanted(round, 0, 0));
            Assert.Equal(round, request.SessionEpoch);
            Assert.Equal(session.NextEpoch, request.SessionEpoch);
            session.Update(request.Partitions, request.Forgotten);
            NodeFetchResponse response = session.Fetch(request.MaxBytes, Read, HasNothingNew, out _);
            session.Commit(response);
            Assert.True(handler.Accept(response));
        }
    }

    [Fact]
    public void ALostSessionOrAFailedCall_MakesTheNextRequestFull()
    {
        var handler = new FetchSessionHandler();
        Open(handler, Wanted(0, 0, 0), out _);

        handler.Build("B", 500, 1 << 20, Wanted(0, 0, 0));
        Assert.False(handler.Accept(new NodeFetchResponse { Error = ErrorCode.FetchSessionIdNotFound }));
        NodeFetchRequest afterError = handler.Build("B", 500, 1 << 20, Wanted(0, 0, 0));
        Assert.Equal(0, afterError.SessionId);
        Assert.Equal(3, afterError.Partitions.Count);

        handler.Reset();
        Assert.Equal(0, handler.Build("B", 500, 1 << 20, Wanted(0, 0, 0)).SessionId);
    }

    private FetchSession Open(FetchSessionHandler handler, PartitionFetch[] wanted, out NodeFetchResponse response)
    {
        NodeFetchRequest request = handler.Build("B", 500, 1 << 20, wanted);
        Assert.Equal(0, request.SessionId);
        var session = new FetchSession(42, TimeSpan.FromSeconds(1), _time);
        session.Update(request.Partitions, request.Forgotten);
        response = session.Fetch(request.MaxBytes, Read, HasNothingNew, out _);
        session.Commit(response);
        Assert.True(handler.Accept(response));
        return session;
    }

    private NodeFetchResponse RoundTrip(FetchSessionHandler handler, FetchSession session, PartitionFetch[] wanted, out bool anything, out NodeFetchRequest request)
    {
        request = handler.Build("B", 500, 1 << 20, wanted);
        Assert.Equal(session.Id, request.SessionId);
        Assert.Equal(session.NextEpoch, request.SessionEpoch);
        session.Update(request.Partitions, request.Forgotten);
        NodeFetchResponse response = session.Fetch(request.MaxBytes, Read, HasNothingNew, out anything);
        session.Commit(response);
        Assert.True(handler.Accept(response));
        return response;
    }

    private bool HasNothingNew(PartitionFetch fetch, long highWatermark, long logStartOffset) =>
        _leader[fetch.Partition] is var (leaderHighWatermark, records) && records == 0 && leaderHighWatermark == highWatermark && logStartOffset == 0;

    private ReplicaFetchResult Read(PartitionFetch fetch, int maxBytes)
    {
        _reads[fetch.Partition] = _reads.GetValueOrDefault(fetch.Partition) + 1;
        (long highWatermark, int records) = _leader[fetch.Partition];
        var buffer = new PooledBuffer();
        if (records > 0)
        {
            buffer.Write(new byte[records]);
        }

        return new ReplicaFetchResult { LeaderEpoch = 1, HighWatermark = highWatermark, LogStartOffset = 0, LogEndOffset = highWatermark, Records = buffer };
    }

    private static PartitionFetch[] Wanted(long p0, long p1, long p2) => [Fetch(P0, p0), Fetch(P1, p1), Fetch(P2, p2)];

    private static PartitionFetch Fetch(TopicPartition partition, long offset) => new(partition, 1, offset, 1 << 20);
}
