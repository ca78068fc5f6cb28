using System.Collections.Concurrent;
using System.Reflection;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// Reads and writes the messages declared with <see cref="KafkaMessageAttribute"/> and
/// <see cref="KafkaFieldAttribute"/>, at any of their versions.
/// </summary>
public static class KafkaCodec
{
    private static readonly ConcurrentDictionary<Type, KafkaMessageAttribute> Messages = new();

    public static KafkaMessageAttribute Describe(Type messageType) =>
        Messages.GetOrAdd(messageType, static t => t.GetCustomAttribute<KafkaMessageAttribute>()
            ?? throw new InvalidOperationException($"{t.Name} is not a Kafka message: it has no [KafkaMessage]."));

    public static bool IsFlexible(Type messageType, short version) => version >= Describe(messageType).FirstFlexibleVersion;

    public static T Read<T>(KafkaReader reader, short version)
        where T : class, new()
    {
        CheckVersion(typeof(T), version);
        return (T)StructPlan.For(typeof(T)).Read(reader, version, IsFlexible(typeof(T), version));
    }

    public static void Write<T>(KafkaWriter writer, T message, short version)
        where T : class
    {
        CheckVersion(typeof(T), version);
        StructPlan.For(typeof(T)).Write(writer, message, version, IsFlexible(typeof(T), version));
    }

    /// <summary>Reads a message whose type is known only at run time (a request type from <see cref="KafkaApis"/>).</summary>
    public static object Read(Type messageType, KafkaReader reader, short version)
    {
        CheckVersion(messageType, version);
        return StructPlan.For(messageType).Read(reader, version, IsFlexible(messageType, version));
    }

    public static void Write(Type messageType, KafkaWriter writer, object message, short version)
    {
        CheckVersion(messageType, version);
        StructPlan.For(messageType).Write(writer, message, version, IsFlexible(messageType, version));
    }

    private static void CheckVersion(Type messageType, short version)
    {
        KafkaMessageAttribute message = Describe(messageType);
        if (version < message.MinVersion || version > message.MaxVersion)
        {
            throw new KafkaProtocolException($"{messageType.Name} version {version} is not supported (versions {message.MinVersion}-{message.MaxVersion}).");
        }
    }
}
