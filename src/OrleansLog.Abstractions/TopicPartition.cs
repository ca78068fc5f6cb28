using System.Globalization;

namespace OrleansLog;

/// <summary>
/// A partition of a topic. Its grain key is <c>"{topic}/{partition}"</c> (see <see cref="ToGrainKey"/>);
/// its directory on disk is <c>"{topic}-{partition}"</c>, as in Kafka. Topic names cannot contain '/',
/// so the key parses back unambiguously.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.TopicPartition")]
public readonly record struct TopicPartition([property: Id(0)] string Topic, [property: Id(1)] int Partition)
{
    public string ToGrainKey() => string.Create(CultureInfo.InvariantCulture, $"{Topic}/{Partition}");

    public string ToDirectoryName() => string.Create(CultureInfo.InvariantCulture, $"{Topic}-{Partition}");

    public override string ToString() => ToDirectoryName();

    /// <summary>Parses a <c>"{topic}/{partition}"</c> grain key.</summary>
    public static TopicPartition ParseGrainKey(string key)
    {
        int slash = key.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(key.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
        {
            throw new FormatException($"Partition grain key must look like '{{topic}}/{{partition}}', was '{key}'.");
        }

        return new TopicPartition(key[..slash], partition);
    }
}
