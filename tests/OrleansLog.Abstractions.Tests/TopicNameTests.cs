using Xunit;

namespace OrleansLog.Abstractions.Tests;

/// <summary>Protects Kafka's topic naming rules: what Kafka rejects, we reject, with a reason.</summary>
public sealed class TopicNameTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("a")]
    [InlineData("Orders.v2_eu-west")]
    [InlineData("...")]
    public void Validate_AcceptsKafkaLegalNames(string name) => Assert.Null(TopicName.Validate(name));

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "cannot be '.'")]
    [InlineData("..", "cannot be '..'")]
    [InlineData("with space", "contains ' '")]
    [InlineData("slash/name", "contains '/'")]
    [InlineData("ünïcode", "contains 'ü'")]
    public void Validate_RejectsIllegalNames_SayingWhy(string name, string reason)
    {
        string? error = TopicName.Validate(name);
        Assert.NotNull(error);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Accepts249Characters_AndRejects250()
    {
        Assert.Null(TopicName.Validate(new string('x', 249)));
        Assert.Equal("topic name is 250 characters long, the maximum is 249", TopicName.Validate(new string('x', 250)));
    }
}
