using Microsoft.Extensions.Time.Testing;

namespace OrleansLog.Client.Tests;

/// <summary>
/// One group consumer's world for a test: a fake cluster with topic "events" (2 partitions), the fake
/// coordinator of group "g", a <see cref="FakeTimeProvider"/> that drives heartbeats, max.poll.interval and
/// auto-commit, and a listener that writes callbacks into the coordinator's <see cref="CallLog"/>.
/// </summary>
internal sealed class GroupHarness
{
    public static readonly TopicPartition P0 = new("events", 0);
    public static readonly TopicPartition P1 = new("events", 1);

    public GroupHarness()
    {
        Cluster.AddTopic("events", 2);
        Coordinator = Cluster.Group("g");
        Listener = new RecordingRebalanceListener(Log);
    }

    public FakeGrainFactory Cluster { get; } = new();

    public FakeTimeProvider Time { get; } = new();

    public FakeGroupCoordinatorGrain Coordinator { get; }

    public CallLog Log => Coordinator.Log;

    public RecordingRebalanceListener Listener { get; }

    public FakePartitionGrain Partition(int partition) => Cluster.Partition("events", partition);

    /// <summary>A consumer of group "g" with Kafka's default timeouts on the fake clock, starting at the earliest offset.</summary>
    public OrleansLogConsumer Consumer(Action<ConsumerOptions>? configure = null)
    {
        var options = new ConsumerOptions
        {
            GroupId = "g",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchMaxWait = TimeSpan.FromMilliseconds(20),
        };
        configure?.Invoke(options);
        return new OrleansLogConsumer(Cluster, options, timeProvider: Time);
    }

    /// <summary>Subscribes to "events" and consumes <paramref name="count"/> records, so the first assignment is applied.</summary>
    public async Task<OrleansLogConsumer> SubscribedAsync(int count, Action<ConsumerOptions>? configure = null)
    {
        OrleansLogConsumer consumer = Consumer(configure);
        consumer.Subscribe(["events"], Listener);
        await ConsumeAsync(consumer, count, "consuming after the first assignment");
        return consumer;
    }

    /// <summary>Advances the clock by one heartbeat interval and waits for heartbeat number <paramref name="number"/>.</summary>
    public async Task HeartbeatAsync(int number, TimeSpan? interval = null)
    {
        Task heartbeat = Log.WaitForCountAsync("heartbeat", number);
        Time.Advance(interval ?? TimeSpan.FromSeconds(3));
        await heartbeat.Within($"waiting for heartbeat {number}");
    }

    public static async Task<List<ConsumeResult>> ConsumeAsync(OrleansLogConsumer consumer, int count, string phase)
    {
        var records = new List<ConsumeResult>();
        while (records.Count < count)
        {
            ConsumeResult? record = await consumer.ConsumeAsync(Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken)
                .Within($"{phase}: record {records.Count + 1} of {count}");
            records.Add(record!);
        }

        return records;
    }
}
