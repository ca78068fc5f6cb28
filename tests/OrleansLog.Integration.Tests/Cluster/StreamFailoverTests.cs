using System.Globalization;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using OrleansLog.Streaming;
using OrleansLog.Streaming.TestGrains;
using Xunit;

namespace OrleansLog.Integration.Tests.Cluster;

/// <summary>
/// Three broker processes hosting the OrleansLog stream provider and the sink subscriber grain
/// (tests/OrleansLog.Streaming.TestSilo), stream topic and sink topic at replication factor 3, queues
/// checkpointed every 500 ms. The queues of a killed silo move to the others and resume from the checkpoint.
/// </summary>
public sealed class StreamCluster() : ThreeNodeCluster(
    [
        "--OrleansLog:ReplicaLagTime", "00:00:05",
        "--OrleansLog:ReplicationCheckInterval", "00:00:00.250",
        "--OrleansLog:FollowerCheckInterval", "00:00:01",
        "--OrleansLog:PreferredLeaderDelay", "00:00:02",
        "--Streams:olog:CheckpointInterval", "00:00:00.500",
        "--Streams:olog:Namespaces:kill:Partitions", "4",
        "--Streams:olog:Namespaces:kill:ReplicationFactor", "3",
    ],
    RepositoryPaths.StreamTestSiloAssembly)
{
    public static void ConfigureProvider(OrleansLogStreamOptions o) =>
        o.AddNamespace(Namespaces.Kill, n =>
        {
            n.Partitions = 4;
            n.ReplicationFactor = 3;
        });
}

/// <summary>
/// Protects at-least-once delivery across a kill -9 of a silo that pulls stream queues: while a client
/// produces to eight streams, the silo is killed; every acknowledged event then reaches its subscriber, in
/// order per stream, and events arrive twice only within the checkpoint window.
/// </summary>
[Collection(SiloClusterCollection.Name)]
public sealed class StreamFailoverTests(StreamCluster cluster) : IClassFixture<StreamCluster>
{
    private const int Streams = 8;
    private const int EventsBeforeKill = 150;
    private const int EventsAfterKill = 150;

    [Fact]
    public async Task KillingTheSiloThatPullsAQueue_LosesNoAcknowledgedEvent_AndKeepsEachStreamInOrder()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using ExternalClient client = await cluster.ConnectAsync(c => c.AddOrleansLogStreams("olog", StreamCluster.ConfigureProvider), ct);
        await new OrleansLogAdmin(client.Client).CreateTopicAsync(Namespaces.SinkTopic, 1, replicationFactor: 3, cancellationToken: ct);

        // 1. Eight streams, each producing in order and remembering what was acknowledged.
        string run = Guid.NewGuid().ToString("N")[..6];
        string[] keys = [.. Enumerable.Range(0, Streams).Select(s => $"{run}-{s}")];
        long[] acknowledged = new long[Streams];
        using var stop = new CancellationTokenSource();
        IStreamProvider provider = client.Client.GetStreamProvider("olog");
        Task[] producers = [.. Enumerable.Range(0, Streams).Select(s => Task.Run(async () =>
        {
            IAsyncStream<TestEvent> stream = provider.GetStream<TestEvent>(StreamId.Create(Namespaces.Kill, keys[s]));
            for (long sequence = 0; !stop.IsCancellationRequested; sequence++)
            {
                await stream.OnNextAsync(new TestEvent(sequence));
                Volatile.Write(ref acknowledged[s], sequence + 1);
            }
        }, CancellationToken.None))];

        // 2. Once every stream is flowing and delivered, kill -9 a silo that pulls one of the queues.
        await WaitForAcknowledgedAsync(acknowledged, EventsBeforeKill, producers);
        ClusterNode victim = cluster.Nodes.FirstOrDefault(n => n.Silo.Output.Contains("reads kill-", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("No silo says it reads a queue of topic 'kill':\n" + cluster.SaveLogs("olog-stream-failover"));
        victim.Silo.Kill();

        // 3. Keep producing through the failover, then stop.
        long[] atKill = [.. acknowledged.Select(a => Volatile.Read(ref a))];
        await WaitForAcknowledgedAsync(acknowledged, EventsBeforeKill + EventsAfterKill, producers);
        await stop.CancelAsync();
        await Task.WhenAll(producers);

        // 4. Every acknowledged event reaches the sink, in order per stream.
        Dictionary<string, List<long>> received;
        try
        {
            received = await ReadSinkUntilAsync(client, keys, acknowledged, ct);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}; acknowledged: {string.Join(",", acknowledged)} (at kill {string.Join(",", atKill)}); killed {victim}; logs in {cluster.SaveLogs("olog-stream-failover")}", ex);
        }
        var report = new List<string>();
        for (int s = 0; s < Streams; s++)
        {
            List<long> events = received[keys[s]];
            var seen = new HashSet<long>();
            var firsts = events.Where(seen.Add).ToList();
            Assert.True(
                firsts.Take((int)acknowledged[s]).SequenceEqual(Enumerable.Range(0, (int)acknowledged[s]).Select(i => (long)i)),
                $"stream {keys[s]}: first deliveries out of order or missing: {string.Join(",", firsts.Take(50))}…");
            int duplicates = events.Count - firsts.Count;
            report.Add($"{keys[s]}: {acknowledged[s]} acked (at kill {atKill[s]}), {duplicates} redelivered");

            // Redelivery goes back no further than the checkpoint window allows: a few hundred events here.
            Assert.True(duplicates <= 500, $"stream {keys[s]}: {duplicates} events redelivered, more than the checkpoint window explains");
        }

        TestContext.Current.SendDiagnosticMessage(string.Join("; ", report));
        await victim.Silo.StartAsync(ThreeNodeCluster.StartTimeout, ct);
    }

    private static async Task WaitForAcknowledgedAsync(long[] acknowledged, long atLeast, Task[] producers) =>
        await Eventually.WaitAsync(
            () =>
            {
                Task? failed = producers.FirstOrDefault(p => p.IsFaulted);
                return failed is not null ? Task.FromException<long>(failed.Exception!.GetBaseException()) : Task.FromResult(acknowledged.Min(a => Volatile.Read(ref a)));
            },
            min => min >= atLeast,
            TimeSpan.FromSeconds(90),
            $"every stream to have {atLeast} acknowledged events");

    private static async Task<Dictionary<string, List<long>>> ReadSinkUntilAsync(ExternalClient client, string[] keys, long[] acknowledged, CancellationToken ct)
    {
        var received = keys.ToDictionary(k => k, _ => new List<long>());
        await using var consumer = new OrleansLogConsumer(client.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(Namespaces.SinkTopic, 0, 0)]);
        await Eventually.WaitAsync(
            async () =>
            {
                while (await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200), ct) is { } record)
                {
                    if (record.KeyAsString() is { } key && received.TryGetValue(key, out List<long>? events))
                    {
                        events.Add(long.Parse(record.ValueAsString()!, CultureInfo.InvariantCulture));
                    }
                }

                return keys.Select((k, s) => received[k].Distinct().Count(e => e < acknowledged[s])).ToArray();
            },
            counts => counts.Select((c, s) => c >= acknowledged[s]).All(x => x),
            TimeSpan.FromSeconds(120),
            "every acknowledged event in the sink",
            counts => $"distinct acknowledged events per stream {string.Join(",", counts)}; missing (first 10 per stream): " +
                string.Join(" | ", keys.Select((k, s) => string.Join(",", Enumerable.Range(0, (int)acknowledged[s]).Where(i => !received[k].Contains(i)).Take(10)))),
            ct);
        return received;
    }
}
