using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;
using OrleansLog.Records;
using OrleansLog.Streaming.Providers;
using OrleansLog.Streaming.TestGrains;
using Xunit;

namespace OrleansLog.Streaming.Tests.Unit;

/// <summary>
/// Protects the rules of the queue cache and its cursors without a silo, over an in-memory partition: a cursor
/// hands out its stream's events once and in order whether they come from the cache window or from the log,
/// moves between the two without a gap or a duplicate, reports an offset retention removed once, and the
/// queue's checkpoint floor never passes an event some cursor has not had confirmed.
/// </summary>
public sealed class PartitionCursorTests
{
    private const int CacheSize = 16;
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(TestEvent).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private readonly InMemoryPartition _log = new(new TopicPartition("t", 0));
    private readonly PartitionQueue _queue;

    public PartitionCursorTests()
    {
        var options = new OrleansLogStreamOptions { CacheSize = CacheSize };
        options.AddNamespace("ns", n => n.Partitions = 1);
        var mapper = new PartitionQueueMapper("p", options);
        QueuePartition partition = mapper.PartitionOf(StreamId.Create("ns", "a"));
        var grains = new PartitionGrainFactory(_log);
        _queue = new PartitionQueue(partition, "p", options, grains, Serializer, new TopicProvisioner(grains, options, "p"), TimeProvider.System, NullLogger.Instance);
        _queue.Cache.Position(0);
    }

    [Fact]
    public void ALiveCursor_HandsOutItsStreamsEvents_InOrder_AndSkipsOtherStreams()
    {
        using IQueueCacheCursor cursor = Cursor("a", token: null);
        Produce("a", 0, 3);
        Produce("b", 100, 2);
        Produce("a", 3, 2);

        Assert.Equal([0L, 1, 2, 3, 4], Drain(cursor));
        Assert.Equal(QueueCacheCursorMoveResultKind.NoData, cursor.MoveNextWithResult().Kind);
    }

    [Fact]
    public void ACursorFromAnOldToken_ReadsTheLog_ThenJoinsTheCache_WithoutGapOrDuplicate()
    {
        // 60 containers of stream a and 60 of stream b, interleaved; the cache keeps the last 16.
        for (int i = 0; i < 60; i++)
        {
            Produce("a", i, 1);
            Produce("b", 1000 + i, 1);
        }

        Assert.True(_queue.Cache.LowOffset > 20, $"the window must have moved past offset 20, low is {_queue.Cache.LowOffset}");
        using IQueueCacheCursor cursor = Cursor("a", new EventSequenceTokenV2(20));
        List<long> first = Drain(cursor);
        Produce("a", 60, 3);
        List<long> then = Drain(cursor);

        Assert.Equal(Enumerable.Range(10, 53).Select(i => (long)i), first.Concat(then));
        Assert.True(_log.Fetches > 0, "the old events must come from the log");
        Assert.False(((PartitionCursor)cursor).IsReplaying, "the cursor must be back in the cache");
    }

    [Fact]
    public void ASlowCursor_PassedByTheWindow_ContinuesFromTheLog_AndLosesNothing()
    {
        using IQueueCacheCursor cursor = Cursor("a", token: null);
        Produce("a", 0, 1);
        Assert.Equal([0L], Take(cursor, 1));

        for (int i = 1; i < 100; i++)
        {
            Produce("a", i, 1);
        }

        Assert.Equal(Enumerable.Range(1, 99).Select(i => (long)i), Drain(cursor));
    }

    [Fact]
    public void ATokenBelowTheLogStart_IsReportedOnce_ThenTheStreamStartsAtTheLogStart()
    {
        for (int i = 0; i < 40; i++)
        {
            Produce("a", i, 1);
        }

        _log.DeleteRecordsBeforeAsync(10, TestContext.Current.CancellationToken);
        using IQueueCacheCursor first = Cursor("a", new EventSequenceTokenV2(0));
        var error = Assert.Throws<StreamOffsetOutOfRangeException>(() => first.MoveNextWithResult());
        Assert.Equal((0L, 10L), (error.RequestedOffset, error.LogStartOffset));
        Assert.Contains("ns/a", error.Message);

        using IQueueCacheCursor again = Cursor("a", new EventSequenceTokenV2(0));
        Assert.Equal(Enumerable.Range(10, 30).Select(i => (long)i), Drain(again));
    }

    [Fact]
    public void TheCheckpointFloor_WaitsForTheOldestUnconfirmedEvent_AndIgnoresCaughtUpCursors()
    {
        using IQueueCacheCursor slow = Cursor("a", token: null);
        using IQueueCacheCursor caughtUp = Cursor("b", token: null);
        Produce("a", 0, 1);   // offset 0
        Produce("b", 0, 1);   // offset 1
        Produce("a", 1, 1);   // offset 2
        Drain(caughtUp);
        Assert.Equal(0, _queue.Cache.CheckpointFloor());

        Assert.Equal([0L], Take(slow, 1));
        Assert.Equal(0, _queue.Cache.CheckpointFloor()); // handed, not yet confirmed
        Assert.Equal([1L], Take(slow, 1));               // moving on confirms event 0
        Assert.Equal(2, _queue.Cache.CheckpointFloor());
        Assert.Equal(QueueCacheCursorMoveResultKind.NoData, slow.MoveNextWithResult().Kind);
        Assert.Equal(3, _queue.Cache.CheckpointFloor()); // everything confirmed: the floor is the cache's end
    }

    [Fact]
    public void AnOldTokensCursor_DoesNotPullTheCheckpointBelowWhereItWas()
    {
        for (int i = 0; i < 40; i++)
        {
            Produce("a", i, 1);
        }

        _queue.CommittedOffset = 30;
        using IQueueCacheCursor rewound = Cursor("a", new EventSequenceTokenV2(5));
        Assert.Equal([5L], Take(rewound, 1));

        Assert.Equal(30, _queue.Cache.CheckpointFloor());
    }

    private IQueueCacheCursor Cursor(string key, StreamSequenceToken? token) =>
        _queue.Cache.TryGetCacheCursor(StreamId.Create("ns", key), token).Cursor!;

    /// <summary>Appends events first..first+count-1 of stream <paramref name="key"/> as one write, and hands them to the cache as the receiver would.</summary>
    private void Produce(string key, long first, int count)
    {
        StreamWrite write = StreamRecordFormat.Encode(
            StreamId.Create("ns", key), Enumerable.Range(0, count).Select(i => new TestEvent(first + i)), null, Serializer, 0);
        using var builder = new RecordBatchBuilder();
        StreamRecordFormat.Append(builder, write);
        byte[] stored = _log.Append(builder.SealToArray());
        var containers = new List<IBatchContainer>();
        using var reader = new RecordBatchReader();
        long end = StreamRecordFormat.ReadContainers(stored, _queue.NamespaceUtf8, _queue.Cache.EndOffset, default, filterByKey: false, Serializer, reader, containers);
        _queue.LastHanded = containers;
        _queue.LastHandedEnd = end;
        _queue.Cache.AddToCache(containers);
    }

    private static List<long> Take(IQueueCacheCursor cursor, int count)
    {
        var sequences = new List<long>();
        while (sequences.Count < count && cursor.MoveNextWithResult().Kind == QueueCacheCursorMoveResultKind.Success)
        {
            sequences.AddRange(cursor.GetCurrent(out _)!.GetEvents<TestEvent>().Select(e => e.Item1.Sequence));
        }

        return sequences;
    }

    /// <summary>Moves until no data is left; a log read in the in-memory partition completes at once.</summary>
    private static List<long> Drain(IQueueCacheCursor cursor)
    {
        var sequences = new List<long>();
        for (int idle = 0; idle < 3;)
        {
            if (cursor.MoveNextWithResult().Kind == QueueCacheCursorMoveResultKind.Success)
            {
                sequences.AddRange(cursor.GetCurrent(out _)!.GetEvents<TestEvent>().Select(e => e.Item1.Sequence));
                idle = 0;
            }
            else
            {
                idle++;
            }
        }

        return sequences;
    }
}
