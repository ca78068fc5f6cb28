namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// Marks a request or response type with its API key, the versions this broker speaks, and the first
/// flexible version (compact strings and arrays, tagged fields; KIP-482) — facts of Kafka's message
/// definitions.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class KafkaMessageAttribute(ApiKey apiKey, short minVersion, short maxVersion, short firstFlexibleVersion) : Attribute
{
    public ApiKey ApiKey { get; } = apiKey;

    public short MinVersion { get; } = minVersion;

    public short MaxVersion { get; } = maxVersion;

    /// <summary>The first flexible version; <see cref="short.MaxValue"/> when none is.</summary>
    public short FirstFlexibleVersion { get; } = firstFlexibleVersion;
}
