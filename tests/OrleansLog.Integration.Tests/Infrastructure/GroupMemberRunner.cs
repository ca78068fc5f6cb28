using System.Diagnostics;
using OrleansLog.Client;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>
/// A consumer-group member for end-to-end tests: subscribes one topic and consumes in a loop on its own
/// task, recording every record it processed and every rebalance callback. Short timeouts: 3 s sessions,
/// 300 ms heartbeats, 500 ms auto-commit, 5 s rebalance timeout.
/// </summary>
internal sealed class GroupMemberRunner : IConsumerRebalanceListener, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(ConsumeResult Record, long Timestamp)> _processed = [];
    private readonly List<(string Kind, TopicPartition[] Partitions, long Timestamp)> _callbacks = [];
    private volatile bool _stopRequested;
    private Task _loop = Task.CompletedTask;
    private bool _closed;

    private GroupMemberRunner(string name, OrleansLogConsumer consumer)
    {
        Name = name;
        Consumer = consumer;
    }

    public string Name { get; }

    public OrleansLogConsumer Consumer { get; }

    /// <summary>An exception that ended the consume loop, or null.</summary>
    public Exception? Failure { get; private set; }

    public IReadOnlyList<ConsumeResult> Processed
    {
        get
        {
            lock (_gate)
            {
                return [.. _processed.Select(static p => p.Record)];
            }
        }
    }

    /// <summary>The records processed, each with the <see cref="Stopwatch"/> timestamp at which the consume call returned it.</summary>
    public IReadOnlyList<(ConsumeResult Record, long Timestamp)> ProcessedAt
    {
        get
        {
            lock (_gate)
            {
                return [.. _processed];
            }
        }
    }

    /// <summary>The partitions it owns now; empty once closed.</summary>
    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                return _closed ? [] : [.. Consumer.Assignment.OrderBy(p => p.Partition)];
            }
        }
    }

    /// <summary>The partitions named in callbacks of <paramref name="kind"/> ("assigned", "revoked", "lost").</summary>
    public IReadOnlyList<TopicPartition> CallbackPartitions(string kind)
    {
        lock (_gate)
        {
            return [.. _callbacks.Where(c => c.Kind == kind).SelectMany(c => c.Partitions)];
        }
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp of the first callback of <paramref name="kind"/> naming a partition, or null.</summary>
    public long? FirstCallbackWithPartitions(string kind)
    {
        lock (_gate)
        {
            return _callbacks.FirstOrDefault(c => c.Kind == kind && c.Partitions.Length > 0) is { Kind: not null } found ? found.Timestamp : null;
        }
    }

    public static GroupMemberRunner Start(IClusterClient client, string name, string groupId, string topic, Action<ConsumerOptions>? configure = null)
    {
        var options = new ConsumerOptions
        {
            GroupId = groupId,
            ClientId = name,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeout = TimeSpan.FromSeconds(3),
            HeartbeatInterval = TimeSpan.FromMilliseconds(300),
            RebalanceTimeout = TimeSpan.FromSeconds(5),
            AutoCommitInterval = TimeSpan.FromMilliseconds(500),
            FetchMaxWait = TimeSpan.FromMilliseconds(100),
        };
        configure?.Invoke(options);
        var runner = new GroupMemberRunner(name, new OrleansLogConsumer(client, options));
        runner.Consumer.Subscribe([topic], runner);
        runner._loop = Task.Run(runner.ConsumeLoopAsync);
        return runner;
    }

    /// <summary>Stops consuming after the record in hand, then closes: commits what it processed and leaves the group.</summary>
    public async Task StopAsync()
    {
        await StopLoopAsync();
        await Consumer.DisposeAsync();
    }

    /// <summary>Stops consuming and heartbeating at once, as a killed process would: no commit, no LeaveGroup.</summary>
    public async Task CrashAsync()
    {
        await StopLoopAsync();
        await Consumer.CrashAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopRequested)
        {
            await StopAsync();
        }
    }

    public override string ToString() => $"{Name}[{string.Join(",", Assignment)}]";

    ValueTask IConsumerRebalanceListener.OnPartitionsAssignedAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken) =>
        Record("assigned", partitions);

    ValueTask IConsumerRebalanceListener.OnPartitionsRevokedAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken) =>
        Record("revoked", partitions);

    ValueTask IConsumerRebalanceListener.OnPartitionsLostAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken) =>
        Record("lost", partitions);

    private ValueTask Record(string kind, IReadOnlyList<TopicPartition> partitions)
    {
        lock (_gate)
        {
            _callbacks.Add((kind, [.. partitions], Stopwatch.GetTimestamp()));
        }

        return ValueTask.CompletedTask;
    }

    private async Task StopLoopAsync()
    {
        _stopRequested = true;
        await _loop;
        lock (_gate)
        {
            _closed = true;
        }
    }

    /// <summary>
    /// Short consume calls, so a stop request is noticed within 100 ms without cancelling a call (a
    /// cancelled call is fine for the consumer, but a stop should end after a whole record).
    /// </summary>
    private async Task ConsumeLoopAsync()
    {
        try
        {
            while (!_stopRequested)
            {
                ConsumeResult? record = await Consumer.ConsumeAsync(TimeSpan.FromMilliseconds(100));
                if (record is not null)
                {
                    lock (_gate)
                    {
                        _processed.Add((record, Stopwatch.GetTimestamp()));
                    }
                }
            }
        }
        catch (Exception ex)
        {
            Failure = ex;
        }
    }
}
