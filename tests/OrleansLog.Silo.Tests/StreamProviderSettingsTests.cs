using Microsoft.Extensions.Configuration;
using OrleansLog.Silo.Streams;
using OrleansLog.Streaming;
using Xunit;

namespace OrleansLog.Silo.Tests;

/// <summary>
/// Protects the broker's <c>Streams</c> section: a provider's options and each of its namespaces reach
/// <see cref="OrleansLogStreamOptions"/>, and a misspelt option stops start-up instead of being ignored.
/// </summary>
public sealed class StreamProviderSettingsTests
{
    [Fact]
    public void AProvidersSection_BindsItsOptionsAndEachNamespace()
    {
        IConfigurationSection section = Section(new()
        {
            ["Streams:olog:CacheSize"] = "128",
            ["Streams:olog:CheckpointInterval"] = "00:00:00.500",
            ["Streams:olog:TopicCreation"] = "RequireExisting",
            ["Streams:olog:DeadLetterTopic"] = "dead",
            ["Streams:olog:Namespaces:orders:Partitions"] = "12",
            ["Streams:olog:Namespaces:orders:ReplicationFactor"] = "3",
            ["Streams:olog:Namespaces:orders:Retention"] = "1.00:00:00",
            ["Streams:olog:Namespaces:orders:TopicConfig:max.message.bytes"] = "2000",
            ["Streams:olog:Namespaces:audit:Topic"] = "audit-v2",
        });
        var options = new OrleansLogStreamOptions();

        StreamProviderSettings.Bind(section, options);

        Assert.Equal(128, options.CacheSize);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.CheckpointInterval);
        Assert.Equal(TopicCreation.RequireExisting, options.TopicCreation);
        Assert.Equal("dead", options.DeadLetterTopic);
        StreamNamespaceOptions orders = options.Namespaces["orders"];
        Assert.Equal(("orders", 12, (short?)3, (TimeSpan?)TimeSpan.FromDays(1)), (orders.Topic, orders.Partitions, orders.ReplicationFactor, orders.Retention));
        Assert.Equal("2000", orders.TopicConfig["max.message.bytes"]);
        Assert.Equal("audit-v2", options.Namespaces["audit"].Topic);
    }

    [Fact]
    public void AMisspeltOption_IsRefused_NamingIt()
    {
        IConfigurationSection section = Section(new() { ["Streams:olog:CacheSzie"] = "128", ["Streams:olog:Namespaces:a:Partitions"] = "1" });

        var error = Assert.Throws<InvalidOperationException>(() => StreamProviderSettings.Bind(section, new OrleansLogStreamOptions()));

        Assert.Contains("CacheSzie", error.Message);
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Streams:olog");
}
