using Orleans.Runtime;
using Xunit;

namespace OrleansLog.Streaming.Tests;

/// <summary>Protects start-up checks of <see cref="OrleansLogStreamOptions"/>: each bad option stops the silo or client with a message naming the provider and the option.</summary>
public sealed class OptionsValidatorTests
{
    [Fact]
    public void ValidOptions_Pass()
    {
        var options = new OrleansLogStreamOptions().AddNamespace("orders");

        new OrleansLogStreamOptionsValidator("olog", options).ValidateConfiguration();
    }

    [Theory]
    [InlineData("no-namespace", "maps no stream namespace")]
    [InlineData("bad-topic", "invalid topic name 'a b'")]
    [InlineData("shared-topic", "both map to topic 'x'")]
    [InlineData("partitions", "Partitions must be between 1 and 10000, was 0")]
    [InlineData("cache", "CacheSize must be between 16 and 10000000")]
    [InlineData("request-timeout", "RequestTimeout must be positive and below ProduceTimeout")]
    [InlineData("acks", "Acks must be All or Leader")]
    [InlineData("dead-letter", "DeadLetterTopic 'orders' is also the topic of namespace 'orders'")]
    [InlineData("linger", "ReceiverLinger must be between 0 and 1 s")]
    public void ABadOption_StopsStartUp_NamingProviderAndOption(string change, string expected)
    {
        var options = new OrleansLogStreamOptions();
        if (change != "no-namespace")
        {
            options.AddNamespace("orders");
        }

        switch (change)
        {
            case "bad-topic": options.AddNamespace("b", n => n.Topic = "a b"); break;
            case "shared-topic": options.AddNamespace("b", n => n.Topic = "x").AddNamespace("c", n => n.Topic = "x"); break;
            case "partitions": options.AddNamespace("b", n => n.Partitions = 0); break;
            case "cache": options.CacheSize = 1; break;
            case "request-timeout": options.RequestTimeout = TimeSpan.FromMinutes(1); break;
            case "acks": options.Acks = Acks.None; break;
            case "dead-letter": options.DeadLetterTopic = "orders"; break;
            case "linger": options.ReceiverLinger = TimeSpan.FromSeconds(2); break;
        }

        var error = Assert.Throws<OrleansConfigurationException>(() => new OrleansLogStreamOptionsValidator("olog", options).ValidateConfiguration());

        Assert.Contains("'olog'", error.Message);
        Assert.Contains(expected, error.Message);
    }
}
