namespace OrleansLog.Streaming;

/// <summary>How one stream namespace maps onto its topic. A stream's key picks the partition (murmur2, as Kafka's keyed records).</summary>
public sealed class StreamNamespaceOptions
{
    internal StreamNamespaceOptions(string streamNamespace)
    {
        Namespace = streamNamespace;
        Topic = streamNamespace;
    }

    /// <summary>The stream namespace.</summary>
    public string Namespace { get; }

    /// <summary>The topic holding the namespace's events. Default: the namespace itself.</summary>
    public string Topic { get; set; }

    /// <summary>
    /// Partitions of the topic: one pulling-agent queue each. It must equal the topic's partition count when
    /// the topic exists (start-up of the queue fails naming both otherwise). Default 8.
    /// </summary>
    public int Partitions { get; set; } = 8;

    /// <summary>Replication factor when the provider creates the topic; null for the broker's default.</summary>
    public short? ReplicationFactor { get; set; }

    /// <summary>Retention (<c>retention.ms</c>) when the provider creates the topic; null for the broker's default (7 days).</summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>Further topic configuration when the provider creates the topic (<c>max.message.bytes</c>, <c>retention.bytes</c>, …).</summary>
    public IDictionary<string, string> TopicConfig { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    internal Dictionary<string, string> CreationConfig()
    {
        var config = new Dictionary<string, string>(TopicConfig, StringComparer.Ordinal);
        if (ReplicationFactor is { } factor)
        {
            config[TopicConfigKeys.ReplicationFactor] = factor.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (Retention is { } retention)
        {
            config[TopicConfigKeys.RetentionMs] = ((long)retention.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return config;
    }
}
