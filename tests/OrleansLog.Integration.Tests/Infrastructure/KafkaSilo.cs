using System.Globalization;
using OrleansLog.Client;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>
/// A silo process on its own data directory with its Kafka listener on a free port, an Orleans client
/// connected through its gateway, and one topic created: what every Kafka-client test starts from.
/// </summary>
internal sealed class KafkaSilo : IAsyncDisposable
{
    private readonly TempDataDirectory _data;

    private KafkaSilo(TempDataDirectory data, SiloProcess silo, int kafkaPort)
    {
        _data = data;
        Silo = silo;
        KafkaPort = kafkaPort;
    }

    public SiloProcess Silo { get; }

    public ExternalClient Client { get; private set; } = null!;

    public int KafkaPort { get; }

    /// <summary>The bootstrap address Kafka clients are given.</summary>
    public string Bootstrap => $"127.0.0.1:{KafkaPort}";

    public string DataDirectory => _data.Path;

    public static async Task<KafkaSilo> StartAsync(string name, string topic, int partitions, CancellationToken cancellationToken)
    {
        var data = new TempDataDirectory(name);
        int port = FreePorts.Next();
        var kafka = new KafkaSilo(data, new SiloProcess(data.Path, "--kafka-port", port.ToString(CultureInfo.InvariantCulture)), port);
        try
        {
            await kafka.Silo.StartAsync(TimeSpan.FromSeconds(60), cancellationToken);
            kafka.Client = await ExternalClient.ConnectAsync(cancellationToken, kafka.Silo.GatewayPort);
            await new OrleansLogAdmin(kafka.Client.Client).CreateTopicAsync(topic, partitions, cancellationToken: cancellationToken);
            return kafka;
        }
        catch
        {
            await kafka.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        await Silo.DisposeAsync();
        _data.Dispose();
    }
}
