using OrleansLog.Grains.Partitions;
using OrleansLog.Storage;
using Xunit;

namespace OrleansLog.Grains.Tests;

/// <summary>Protects how Kafka's flush.messages / flush.ms and the roll and retention keys map onto the storage engine.</summary>
public sealed class TopicConfigMappingTests
{
    [Fact]
    public void Defaults_LeaveFlushingToThePageCache()
    {
        PartitionLogOptions options = TopicConfig.Default.ToLogOptions();
        Assert.Equal(FlushPolicy.None, options.FlushPolicy);
        Assert.Equal(1L << 30, options.SegmentBytes);
        Assert.Equal(-1, options.RetentionBytes);
    }

    [Fact]
    public void FlushMessagesOne_AcknowledgesAfterFsync()
    {
        Assert.Equal(FlushPolicy.Always, (TopicConfig.Default with { FlushMessages = 1 }).ToLogOptions().FlushPolicy);
    }

    [Fact]
    public void FiniteFlushMs_FlushesPeriodically_AtThatInterval()
    {
        PartitionLogOptions options = (TopicConfig.Default with { FlushMs = 250 }).ToLogOptions();
        Assert.Equal((FlushPolicy.Interval, 250L), (options.FlushPolicy, options.FlushIntervalMs));
    }

    [Fact]
    public void RetentionAndRollKeys_AreCarriedOver()
    {
        PartitionLogOptions options = (TopicConfig.Default with { RetentionMs = 10, RetentionBytes = 20, SegmentBytes = 4096, SegmentMs = 30, IndexIntervalBytes = 128 }).ToLogOptions();
        Assert.Equal((10L, 20L, 4096, 30L, 128), (options.RetentionMs, options.RetentionBytes, options.SegmentBytes, options.SegmentMs, options.IndexIntervalBytes));
    }
}
