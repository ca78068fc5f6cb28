using Orleans.Runtime;

namespace OrleansLog.Streaming;

/// <summary>Fails start-up of a silo or client with a message naming the provider and the bad option.</summary>
public sealed class OrleansLogStreamOptionsValidator(string providerName, OrleansLogStreamOptions options) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        string p = $"Stream provider '{providerName}'";
        if (options.Namespaces.Count == 0)
        {
            Fail($"{p} maps no stream namespace to a topic: call AddNamespace(\"…\") for each namespace it carries.");
        }

        var topics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (StreamNamespaceOptions ns in options.Namespaces.Values)
        {
            if (TopicName.Validate(ns.Topic) is { } reason)
            {
                Fail($"{p}: namespace '{ns.Namespace}' maps to an invalid topic name '{ns.Topic}': {reason}");
            }

            if (!topics.TryAdd(ns.Topic, ns.Namespace))
            {
                Fail($"{p}: namespaces '{topics[ns.Topic]}' and '{ns.Namespace}' both map to topic '{ns.Topic}'; one namespace = one topic.");
            }

            if (ns.Partitions is < 1 or > 10_000)
            {
                Fail($"{p}: namespace '{ns.Namespace}' Partitions must be between 1 and 10000, was {ns.Partitions}.");
            }

            if (ns.ReplicationFactor is < 1)
            {
                Fail($"{p}: namespace '{ns.Namespace}' ReplicationFactor must be at least 1, was {ns.ReplicationFactor}.");
            }

            if (ns.Retention is { } retention && retention <= TimeSpan.Zero && retention != Timeout.InfiniteTimeSpan)
            {
                Fail($"{p}: namespace '{ns.Namespace}' Retention must be positive, was {retention}.");
            }
        }

        if (options.DeadLetterTopic is { } dlq && TopicName.Validate(dlq) is { } dlqReason)
        {
            Fail($"{p}: DeadLetterTopic '{dlq}' is not a valid topic name: {dlqReason}");
        }

        if (options.DeadLetterTopic is { } deadLetter && topics.TryGetValue(deadLetter, out string? owner))
        {
            Fail($"{p}: DeadLetterTopic '{deadLetter}' is also the topic of namespace '{owner}'.");
        }

        if (options.CacheSize is < 16 or > 10_000_000)
        {
            Fail($"{p}: CacheSize must be between 16 and 10000000 batch containers, was {options.CacheSize}.");
        }

        if (options.CacheMaxBytes < options.FetchMaxBytes)
        {
            Fail($"{p}: CacheMaxBytes must be at least FetchMaxBytes ({options.FetchMaxBytes}), was {options.CacheMaxBytes}.");
        }

        if (options.FetchMaxBytes is < 1024 or > 64 << 20)
        {
            Fail($"{p}: FetchMaxBytes must be between 1 KiB and 64 MiB, was {options.FetchMaxBytes}.");
        }

        if (options.ReceiverMaxWait < TimeSpan.Zero || options.ReceiverMaxWait > TimeSpan.FromSeconds(30))
        {
            Fail($"{p}: ReceiverMaxWait must be between 0 and 30 s, was {options.ReceiverMaxWait}.");
        }

        if (options.ReceiverLinger < TimeSpan.Zero || options.ReceiverLinger > TimeSpan.FromSeconds(1))
        {
            Fail($"{p}: ReceiverLinger must be between 0 and 1 s, was {options.ReceiverLinger}.");
        }

        if (options.CheckpointInterval <= TimeSpan.Zero)
        {
            Fail($"{p}: CheckpointInterval must be positive, was {options.CheckpointInterval}.");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout >= options.ProduceTimeout)
        {
            Fail($"{p}: RequestTimeout must be positive and below ProduceTimeout ({options.ProduceTimeout}), was {options.RequestTimeout}.");
        }

        if (options.ProduceTimeout <= TimeSpan.Zero)
        {
            Fail($"{p}: ProduceTimeout must be positive, was {options.ProduceTimeout}.");
        }

        if (options.DeliveryBatchSize is < 1 or > 10_000)
        {
            Fail($"{p}: DeliveryBatchSize must be between 1 and 10000, was {options.DeliveryBatchSize}.");
        }

        if (options.PullingPeriod <= TimeSpan.Zero)
        {
            Fail($"{p}: PullingPeriod must be positive, was {options.PullingPeriod}.");
        }

        if (options.Acks is not (Acks.All or Acks.Leader))
        {
            Fail($"{p}: Acks must be All or Leader (a stream producer waits for its events to be stored), was {options.Acks}.");
        }

        if (options.ConsumerGroup is { Length: 0 })
        {
            Fail($"{p}: ConsumerGroup must not be empty (leave it null for orleans-streams-{providerName}).");
        }
    }

    private static void Fail(string message) => throw new OrleansConfigurationException(message);
}
