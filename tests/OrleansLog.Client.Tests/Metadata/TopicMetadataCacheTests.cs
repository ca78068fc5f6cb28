using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the producer's metadata cache: a known partition count is served without a grain call until
/// MetadataMaxAge, then refreshed in the background (so added partitions are picked up), refreshed early after
/// Invalidate, and a missing topic is reported rather than cached.
/// </summary>
public sealed class TopicMetadataCacheTests
{
    private readonly FakeGrainFactory _cluster = new();
    private readonly FakeTimeProvider _time = new();
    private readonly TopicMetadataCache _cache;

    public TopicMetadataCacheTests()
    {
        _cache = new TopicMetadataCache(_cluster, new MonotonicClock(_time), TimeSpan.FromMinutes(5), NullLogger.Instance);
    }

    [Fact]
    public async Task KnownCount_IsServedFromTheCache_UntilItIsStale_ThenRefreshedInTheBackground()
    {
        FakeTopic topic = _cluster.AddTopic("orders", 2);
        Assert.False(_cache.TryGetPartitionCount("orders", out _));
        Assert.Equal(2, await _cache.RefreshAsync("orders", TestContext.Current.CancellationToken).Within("reading metadata"));

        topic.Partitions.Add(new FakePartitionGrain(new TopicPartition("orders", 2)));
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(_cache.TryGetPartitionCount("orders", out int fresh));
        Assert.Equal(2, fresh);
        Assert.Equal(1, topic.Grain.MetadataReads);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(_cache.TryGetPartitionCount("orders", out int stale));
        Assert.Equal(2, stale);

        // The stale read started a refresh; joining it shows the new count.
        Assert.Equal(3, await _cache.RefreshAsync("orders", TestContext.Current.CancellationToken).Within("joining the background refresh"));
        Assert.True(_cache.TryGetPartitionCount("orders", out int refreshed));
        Assert.Equal(3, refreshed);
    }

    [Fact]
    public async Task Invalidate_MakesTheNextLookupRefresh()
    {
        FakeTopic topic = _cluster.AddTopic("orders", 1);
        await _cache.RefreshAsync("orders", TestContext.Current.CancellationToken).Within("reading metadata");
        _cache.Invalidate("orders");
        Assert.True(_cache.TryGetPartitionCount("orders", out _));
        await _cache.RefreshAsync("orders", TestContext.Current.CancellationToken).Within("joining the refresh");
        Assert.True(topic.Grain.MetadataReads >= 2, $"expected a second metadata read after Invalidate, saw {topic.Grain.MetadataReads}");
    }

    [Fact]
    public async Task MissingTopic_IsReportedAsUnknownTopicOrPartition_AndNotCached()
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _cache.RefreshAsync("ghost", TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, error.Error);
        Assert.False(_cache.TryGetPartitionCount("ghost", out _));
    }
}
