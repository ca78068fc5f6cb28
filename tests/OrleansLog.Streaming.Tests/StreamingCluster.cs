using OrleansLog.Integration.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.TestingHost;
using OrleansLog.Grains.Hosting;
using OrleansLog.Streaming.TestGrains;
using Xunit;

namespace OrleansLog.Streaming.Tests;

/// <summary>
/// A one-silo in-process cluster hosting OrleansLog and two OrleansLog stream providers ("olog" and
/// "other"), with a client that has both. The "olog" cache holds only <see cref="CacheSize"/> containers, so
/// anything older is read from the log. Shared per test class; tests use their own stream keys.
/// </summary>
public sealed class StreamingCluster : IAsyncLifetime
{
    public const string Provider = "olog";
    public const string OtherProvider = "other";
    public const string DeadLetterTopic = "olog-dead-letters";
    public const int CacheSize = 256;

    private InProcessTestCluster? _cluster;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "olog-st-" + Guid.NewGuid().ToString("N")[..12]);

    public IClusterClient Client => (_cluster ?? throw new InvalidOperationException("not started")).Client;

    public IAsyncStream<T> Stream<T>(string streamNamespace, string key, string provider = Provider) =>
        Client.GetStreamProvider(provider).GetStream<T>(StreamId.Create(streamNamespace, key));

    /// <summary>Waits until subscriber grain <paramref name="grainClass"/> of <paramref name="key"/> holds <paramref name="count"/> events, and returns them.</summary>
    public async Task<IReadOnlyList<ReceivedEvent>> WaitForAsync(string key, int count, string grainClass, TimeSpan deadline)
    {
        ISubscriberGrain subscriber = Client.GetGrain<ISubscriberGrain>(key, "OrleansLog.Streaming.TestGrains." + grainClass);
        await Eventually.WaitAsync(subscriber.CountAsync, n => n >= count, deadline, $"{count} events at {grainClass} {key}", n => $"{n} events", TestContext.Current.CancellationToken);
        return await subscriber.GetReceivedAsync();
    }

    /// <summary>Creates <paramref name="topic"/> unless the provider already did.</summary>
    public async Task EnsureTopicAsync(string topic, int partitions)
    {
        try
        {
            await new OrleansLog.Client.OrleansLogAdmin(Client).CreateTopicAsync(topic, partitions, cancellationToken: TestContext.Current.CancellationToken);
        }
        catch (OrleansLog.Client.OrleansLogException ex) when (ex.Error == ErrorCode.TopicAlreadyExists)
        {
        }
    }

    public static void ConfigureProvider(OrleansLogStreamOptions o)
    {
        o.CacheSize = CacheSize;
        o.CheckpointInterval = TimeSpan.FromMilliseconds(200);
        o.DeadLetterTopic = DeadLetterTopic;
        o.AddNamespace(Namespaces.Implicit, n => n.Partitions = 4);
        o.AddNamespace(Namespaces.Second, n => n.Partitions = 2);
        o.AddNamespace(Namespaces.Explicit, n => n.Partitions = 1);
        o.AddNamespace(Namespaces.Raw, n => n.Partitions = 2);
        o.AddNamespace(Namespaces.Poison, n => n.Partitions = 1);
        o.AddNamespace(Namespaces.Kill, n => n.Partitions = 2);
        o.AddNamespace("small", n =>
        {
            n.Partitions = 1;
            n.TopicConfig["max.message.bytes"] = "1000";
        });
    }

    public static void ConfigureOtherProvider(OrleansLogStreamOptions o) =>
        o.AddNamespace(Namespaces.Implicit, n =>
        {
            n.Topic = "other-implicit";
            n.Partitions = 2;
        });

    public async ValueTask InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        string dataDirectory = DataDirectory;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddOrleansLog(o =>
            {
                o.DataDirectory = dataDirectory;
                o.RetentionCheckInterval = TimeSpan.FromMilliseconds(200);
            });
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddOrleansLogStreams(Provider, ConfigureProvider, s => s.ConfigurePullingAgent(a => a.Configure(o => o.MaxEventDeliveryTime = TimeSpan.FromSeconds(1))));
            silo.AddOrleansLogStreams(OtherProvider, ConfigureOtherProvider);
        });
        builder.ConfigureClient(client =>
        {
            client.AddOrleansLogStreams(Provider, ConfigureProvider);
            client.AddOrleansLogStreams(OtherProvider, ConfigureOtherProvider);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
