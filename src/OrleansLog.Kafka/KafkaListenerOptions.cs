namespace OrleansLog.Kafka;

/// <summary>The Kafka listener of one silo (configuration section <c>Kafka</c>).</summary>
public sealed class KafkaListenerOptions
{
    /// <summary>The TCP port Kafka clients connect to; 0 (the default for now) turns the listener off.</summary>
    public int Port { get; set; }

    /// <summary>The host clients are told to connect to (Metadata's broker address).</summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    /// <summary>The port clients are told to connect to; 0 means <see cref="Port"/>.</summary>
    public int AdvertisedPort { get; set; }

    /// <summary>Kafka's socket.request.max.bytes: a larger request closes its connection.</summary>
    public int MaxRequestBytes { get; set; } = 100 * 1024 * 1024;
}
