using Xunit;

namespace OrleansLog.Abstractions.Tests;

/// <summary>
/// Protects topic configuration parsing: Kafka's keys and defaults, InvalidConfig naming the key and
/// value for anything wrong, and all-or-nothing application of overrides.
/// </summary>
public sealed class TopicConfigParserTests
{
    [Fact]
    public void Apply_WithNoOverrides_KeepsKafkaDefaults()
    {
        var (config, result) = TopicConfigParser.Apply(TopicConfig.Default, null);
        Assert.True(result.IsSuccess);
        Assert.Equal(604_800_000, config!.RetentionMs);
        Assert.Equal(-1, config.RetentionBytes);
        Assert.Equal(1_073_741_824, config.SegmentBytes);
        Assert.Equal(1_048_588, config.MaxMessageBytes);
        Assert.Equal(long.MaxValue, config.FlushMessages);
        Assert.Equal(1, config.ReplicationFactor);
        Assert.Equal("delete", config.CleanupPolicy);
    }

    [Fact]
    public void Apply_ParsesEveryKnownKey()
    {
        var overrides = new Dictionary<string, string>
        {
            ["retention.ms"] = "1000",
            ["retention.bytes"] = "2048",
            ["segment.bytes"] = "4096",
            ["segment.ms"] = "60000",
            ["max.message.bytes"] = "512",
            ["flush.messages"] = "1",
            ["flush.ms"] = "10",
            ["replication.factor"] = "3",
            ["min.insync.replicas"] = "2",
            ["cleanup.policy"] = "delete",
            ["unclean.leader.election.enable"] = "false",
            ["index.interval.bytes"] = "100",
            ["message.timestamp.type"] = "LogAppendTime",
        };

        var (config, result) = TopicConfigParser.Apply(TopicConfig.Default, overrides);

        Assert.True(result.IsSuccess, result.Message);
        Assert.Equal(
            TopicConfig.Default with
            {
                RetentionMs = 1000,
                RetentionBytes = 2048,
                SegmentBytes = 4096,
                SegmentMs = 60000,
                MaxMessageBytes = 512,
                FlushMessages = 1,
                FlushMs = 10,
                ReplicationFactor = 3,
                MinInSyncReplicas = 2,
                IndexIntervalBytes = 100,
                MessageTimestampType = "LogAppendTime",
            },
            config);
    }

    [Theory]
    [InlineData("no.such.key", "1", "unknown topic config key 'no.such.key'")]
    [InlineData("retention.ms", "soon", "retention.ms must be an integer, was 'soon'")]
    [InlineData("retention.ms", "-2", "retention.ms must be between -1 and")]
    [InlineData("segment.bytes", "10", "segment.bytes must be between 1024 and 2147483647, was 10")]
    [InlineData("flush.messages", "0", "flush.messages must be between 1 and")]
    [InlineData("cleanup.policy", "compact", "log compaction is not implemented yet")]
    [InlineData("cleanup.policy", "shred", "cleanup.policy must be 'delete', was 'shred'")]
    [InlineData("unclean.leader.election.enable", "maybe", "must be 'true' or 'false', was 'maybe'")]
    [InlineData("message.timestamp.type", "Now", "must be 'CreateTime' or 'LogAppendTime', was 'Now'")]
    [InlineData("min.insync.replicas", "2", "min.insync.replicas=2 exceeds replication.factor=1")]
    public void Apply_RejectsBadInput_AsInvalidConfig_NamingKeyAndValue(string key, string value, string expected)
    {
        var (config, result) = TopicConfigParser.Apply(TopicConfig.Default, new Dictionary<string, string> { [key] = value });

        Assert.Null(config);
        Assert.Equal(ErrorCode.InvalidConfig, result.Error);
        Assert.Contains(expected, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToDictionary_RoundTripsThroughApply()
    {
        TopicConfig original = TopicConfig.Default with { RetentionMs = 5, SegmentBytes = 2048, FlushMessages = 1 };
        var (reparsed, result) = TopicConfigParser.Apply(TopicConfig.Default, original.ToDictionary());
        Assert.True(result.IsSuccess, result.Message);
        Assert.Equal(original, reparsed);
    }
}
