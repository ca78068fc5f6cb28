using System.Text;

namespace OrleansLog.Client;

/// <summary>Convenience overloads of <see cref="IProducer"/> for UTF-8 string keys and values.</summary>
public static class ProducerExtensions
{
    /// <summary>Produces a record whose key and value are the UTF-8 bytes of the strings (null stays null).</summary>
    public static Task<RecordMetadata> ProduceAsync(this IProducer producer, string topic, string? key, string? value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(producer);
        var message = new Message
        {
            Key = key is null ? null : Encoding.UTF8.GetBytes(key),
            Value = value is null ? null : Encoding.UTF8.GetBytes(value),
        };
        return producer.ProduceAsync(topic, message, cancellationToken);
    }
}
