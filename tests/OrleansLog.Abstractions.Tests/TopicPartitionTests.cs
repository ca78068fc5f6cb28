using Xunit;

namespace OrleansLog.Abstractions.Tests;

/// <summary>Protects the partition grain key format "{topic}/{partition}" and Kafka's directory name "{topic}-{partition}".</summary>
public sealed class TopicPartitionTests
{
    [Fact]
    public void GrainKey_RoundTrips_EvenWhenTopicNameHasDashesAndDots()
    {
        var partition = new TopicPartition("orders-v2.eu", 17);
        Assert.Equal("orders-v2.eu/17", partition.ToGrainKey());
        Assert.Equal("orders-v2.eu-17", partition.ToDirectoryName());
        Assert.Equal(partition, TopicPartition.ParseGrainKey(partition.ToGrainKey()));
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("/3")]
    [InlineData("orders/")]
    [InlineData("orders/-1")]
    [InlineData("orders/x")]
    public void ParseGrainKey_RejectsMalformedKeys(string key) =>
        Assert.Throws<FormatException>(() => TopicPartition.ParseGrainKey(key));
}
