using Microsoft.Extensions.Options;
using OrleansLog.Grains.Hosting;

namespace OrleansLog.Kafka;

/// <summary>
/// This silo as Kafka clients see it: a broker id (stable: derived from the node id, which is stable across
/// restarts) and the address it advertises.
/// </summary>
public sealed class KafkaBroker(NodeIdentity node, IOptions<KafkaListenerOptions> options)
{
    /// <summary>A non-negative integer from the node id (FNV-1a), the same on every start.</summary>
    public int BrokerId { get; } = IdOf(node.NodeId);

    public string Host => options.Value.AdvertisedHost;

    public int Port => options.Value.AdvertisedPort > 0 ? options.Value.AdvertisedPort : options.Value.Port;

    public static int IdOf(string nodeId)
    {
        uint hash = 2166136261;
        foreach (char c in nodeId)
        {
            hash = (hash ^ c) * 16777619;
        }

        return (int)(hash & 0x3FFFFFFF);
    }
}
