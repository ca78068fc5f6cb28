using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests.Cluster;

/// <summary>
/// Protects the promise of replication: with three silo processes, replication factor 3 and
/// min.insync.replicas 2, kill -9 of a partition leader's node loses no acknowledged record and stops
/// acks=all writes only briefly; the killed node catches up and rejoins the ISR; a consumer never sees a
/// record that is later lost. Rounds: <c>OLOG_FAILOVER_ROUNDS</c> (default 10 in the suite; the soak script
/// runs 130).
/// </summary>
[Collection(SiloClusterCollection.Name)]
public sealed class ReplicationFailoverTests(ReplicatedCluster cluster, ITestOutputHelper output) : IClassFixture<ReplicatedCluster>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a returning node may take to be back in every ISR: after a silo dies, calls in flight to it
    /// are held until Orleans' 30 s response timeout, which can delay a partition's recovery that long.
    /// </summary>
    private static readonly TimeSpan RejoinDeadline = TimeSpan.FromSeconds(90);
    private const int Partitions = 3;

    [Fact]
    public async Task KillingTheLeadersNode_RoundAfterRound_LosesNoAcknowledgedRecord()
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("OLOG_FAILOVER_ROUNDS"), CultureInfo.InvariantCulture, out int r) ? r : 10;
        string topic = "failover-" + Guid.NewGuid().ToString("N")[..8];
        await using ExternalClient client = await cluster.ConnectAsync(Ct);
        var admin = new OrleansLogAdmin(client.Client);
        await admin.CreateTopicAsync(topic, Partitions, 3, new Dictionary<string, string> { ["min.insync.replicas"] = "2" }, Ct);
        await WaitForFullIsrAsync(admin, topic, "the new topic");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var acknowledged = new ConcurrentDictionary<(int Partition, long Offset), long>();
        var seen = new ConcurrentDictionary<(int Partition, long Offset), long>();
        await using var producer = new OrleansLogProducer(client.Client, new ProducerOptions { Linger = TimeSpan.FromMilliseconds(1), RetryBackoffMax = TimeSpan.FromMilliseconds(200) });
        Task producing = ProduceUntilStoppedAsync(producer, topic, acknowledged, stop.Token);
        Task consuming = ConsumeUntilStoppedAsync(client, topic, seen, stop.Token);

        var failovers = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            try
            {
                await RunRoundAsync(round);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                string logs = cluster.SaveLogs(topic);
                throw new InvalidOperationException($"round {round} failed; the silos' logs are in {logs}", ex);
            }
        }

        if (Environment.GetEnvironmentVariable("OLOG_SAVE_SILO_LOGS") == "1")
        {
            // For soaks: the logs of a passing run show the rare recoveries (e.g. a replica restarted by its node).
            output.WriteLine($"the silos' logs are in {cluster.SaveLogs(topic)}");
        }

        async Task RunRoundAsync(int round)
        {
            int partition = round % Partitions;
            TopicDescription before = await admin.DescribeTopicAsync(topic, Ct);
            ClusterNode victim = cluster.Nodes.Single(n => n.NodeId == before.Partitions[partition].Leader);
            int ackedBefore = acknowledged.Count;

            // 1. kill -9 the leader's node; an acks=all write to its partition must be taken again soon.
            var clock = Stopwatch.StartNew();
            victim.Silo.Kill();
            RecordMetadata probe = await producer.ProduceAsync(
                topic, new Message { Value = Encoding.UTF8.GetBytes($"probe-{round}"), Partition = partition }, Ct);
            failovers.Add(clock.Elapsed.TotalSeconds);
            output.WriteLine($"round {round}: killed {victim.NodeId} (leader of {topic}-{partition}); acks=all write taken again after {clock.Elapsed.TotalSeconds:0.00} s at offset {probe.Offset}");

            TopicDescription during = await admin.DescribeTopicAsync(topic, Ct);
            output.WriteLine(Describe(during));

            // 2. The node returns with its data directory, catches up and rejoins the ISR.
            await victim.Silo.StartAsync(ThreeNodeCluster.StartTimeout, Ct);
            await WaitForFullIsrAsync(admin, topic, $"round {round}: {victim.NodeId} back in every ISR");

            // 3. Everything acknowledged so far is in the log, once, in produce order.
            await VerifyLogAsync(client, topic, acknowledged, seen, $"after round {round}");
            Assert.True(acknowledged.Count > ackedBefore, $"round {round}: the producer must have made progress");
        }

        await stop.CancelAsync();
        await producing;
        await consuming;
        await VerifyLogAsync(client, topic, acknowledged, seen, "at the end");
        double[] sorted = [.. failovers.Order()];
        output.WriteLine($"{{\"bench\":\"failover\",\"rounds\":{rounds},\"p50_s\":{sorted[sorted.Length / 2]:0.00},\"max_s\":{sorted[^1]:0.00}}}");
    }

    /// <summary>Produces "p{partition}-{sequence}" values with acks=all (idempotent) until stopped; records what was acknowledged.</summary>
    private static async Task ProduceUntilStoppedAsync(
        OrleansLogProducer producer, string topic, ConcurrentDictionary<(int Partition, long Offset), long> acknowledged, CancellationToken stop)
    {
        long sequence = 0;
        var inFlight = new List<Task>();
        while (!stop.IsCancellationRequested)
        {
            for (int i = 0; i < 30; i++, sequence++)
            {
                int partition = (int)(sequence % Partitions);
                long value = sequence;
                inFlight.Add(Deliver(partition, value));
            }

            await Task.WhenAll(inFlight);
            inFlight.Clear();
        }

        async Task Deliver(int partition, long value)
        {
            RecordMetadata metadata = await producer.ProduceAsync(
                topic, new Message { Value = Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture)), Partition = partition }, CancellationToken.None);
            acknowledged[(metadata.Partition, metadata.Offset)] = value;
        }
    }

    /// <summary>Reads every partition from the beginning until stopped, remembering what it saw at which offset.</summary>
    private static async Task ConsumeUntilStoppedAsync(
        ExternalClient client, string topic, ConcurrentDictionary<(int Partition, long Offset), long> seen, CancellationToken stop)
    {
        await using var consumer = new OrleansLogConsumer(client.Client, new ConsumerOptions());
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        while (!stop.IsCancellationRequested)
        {
            try
            {
                ConsumeResult? result = await consumer.ConsumeAsync(TimeSpan.FromMilliseconds(200), stop);
                if (result?.ValueAsString() is { } value && long.TryParse(value, CultureInfo.InvariantCulture, out long number))
                {
                    seen[(result.Partition, result.Offset)] = number;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (OrleansLogException)
            {
                // Retriable errors during a failover surface here; the consumer keeps its position.
            }
        }
    }

    /// <summary>
    /// Every acknowledged record is at the offset it was acknowledged with, and so is every record the
    /// consumer saw; no value is in a partition twice; a partition's values are in produce order. A new
    /// leader's high watermark may lag the old one's for a moment, so the log is read at least up to the
    /// highest offset acknowledged or seen.
    /// </summary>
    private static async Task VerifyLogAsync(
        ExternalClient client,
        string topic,
        ConcurrentDictionary<(int Partition, long Offset), long> acknowledged,
        ConcurrentDictionary<(int Partition, long Offset), long> seen,
        string when)
    {
        KeyValuePair<(int Partition, long Offset), long>[] acked = acknowledged.ToArray();
        KeyValuePair<(int Partition, long Offset), long>[] consumed = seen.ToArray();
        for (int p = 0; p < Partitions; p++)
        {
            long needed = acked.Concat(consumed).Where(a => a.Key.Partition == p).Select(a => a.Key.Offset + 1).DefaultIfEmpty(0).Max();
            List<(long Offset, string Value)> log = await ReadPartitionAsync(client, topic, p, needed);
            long[] values = [.. log.Where(v => !v.Value.StartsWith("probe", StringComparison.Ordinal)).Select(v => long.Parse(v.Value, CultureInfo.InvariantCulture))];
            Assert.True(values.Distinct().Count() == values.Length, $"{when}: {topic}-{p} holds a value twice");
            for (int i = 1; i < values.Length; i++)
            {
                Assert.True(values[i - 1] < values[i], $"{when}: {topic}-{p} has {values[i - 1]} before {values[i]}");
            }

            var byOffset = log.ToDictionary(v => v.Offset, v => v.Value);
            foreach ((string what, KeyValuePair<(int Partition, long Offset), long>[] records) in new[] { ("acknowledged", acked), ("consumed", consumed) })
            {
                foreach (((int partition, long offset), long value) in records.Where(s => s.Key.Partition == p))
                {
                    Assert.True(
                        byOffset.TryGetValue(offset, out string? stored) && stored == value.ToString(CultureInfo.InvariantCulture),
                        $"{when}: {value} was {what} at {topic}-{partition} offset {offset}; the log now has {stored ?? "nothing"} there");
                }
            }
        }
    }

    /// <summary>Reads a partition from offset 0 up to its high watermark, waiting until that reaches <paramref name="atLeast"/>.</summary>
    private static async Task<List<(long Offset, string Value)>> ReadPartitionAsync(ExternalClient client, string topic, int partition, long atLeast)
    {
        IPartitionGrain grain = client.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition).ToGrainKey());
        var values = new List<(long Offset, string Value)>();
        long offset = 0;
        var clock = Stopwatch.StartNew();
        while (offset < atLeast)
        {
            Assert.True(clock.Elapsed < Deadline, $"{topic}-{partition} did not reach offset {atLeast} within {Deadline.TotalSeconds} s; read up to {offset}");
            FetchResult fetched = await Eventually.WaitAsync(
                () => grain.FetchAsync(new FetchRequest(offset, 1024 * 1024, 1, 200), Ct),
                f => f.Error == ErrorCode.None,
                Deadline,
                $"{topic}-{partition} to answer a fetch at offset {offset}",
                Ct);
            List<(long Offset, string Value)> batch = Batches.Values(fetched);
            values.AddRange(batch.Where(v => v.Offset >= offset));
            offset = values.Count > 0 ? values[^1].Offset + 1 : offset;
        }

        return values;
    }

    private static Task<PartitionsView> WaitForFullIsrAsync(OrleansLogAdmin admin, string topic, string what) =>
        Eventually.WaitAsync(
            async () => new PartitionsView(await admin.DescribeTopicAsync(topic, Ct)),
            v => v.Topic.Partitions.All(p => p.Error == ErrorCode.None && p.Isr.Count == 3),
            RejoinDeadline,
            $"{what}: every partition of {topic} with all 3 replicas in sync",
            Ct);

    /// <summary>A topic description that prints each partition's leader, epoch, ISR and error, for timeout messages.</summary>
    private sealed record PartitionsView(TopicDescription Topic)
    {
        public override string ToString() => Describe(Topic);
    }

    private static string Describe(TopicDescription topic) =>
        string.Join("; ", topic.Partitions.Select(d =>
            $"p{d.Partition} leader {d.Leader} epoch {d.LeaderEpoch} ISR [{string.Join(",", d.Isr)}] HW {d.HighWatermark} LEO {d.LogEndOffset}" +
            (d.Error == ErrorCode.None ? string.Empty : $" error {d.Error}")));
}
