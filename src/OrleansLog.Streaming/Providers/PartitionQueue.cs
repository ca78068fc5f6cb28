using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;
using OrleansLog.Grains;
using OrleansLog.Groups;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// Everything one pulling agent's queue shares between its receiver, its cache, its cursors' log reads and
/// its checkpoint: the partition, the wake requests of replaying cursors, and the committed offset.
/// </summary>
/// <remarks>
/// Used only from the pulling agent's activation (Orleans runs its turns, and the continuations of the grain
/// calls started from them, one at a time), so nothing here is locked.
/// </remarks>
internal sealed class PartitionQueue : IDisposable
{
    private readonly CancellationTokenSource _shutdown = new();
    private readonly HashSet<StreamId> _wakeRequests = [];
    private readonly HashSet<StreamId> _toldOutOfRange = [];
    private TaskCompletionSource _wakeSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PartitionQueue(
        QueuePartition partition,
        string providerName,
        OrleansLogStreamOptions options,
        IGrainFactory grains,
        Serializer serializer,
        TopicProvisioner provisioner,
        TimeProvider time,
        ILogger logger)
    {
        Partition = partition;
        ProviderName = providerName;
        Options = options;
        Serializer = serializer;
        Provisioner = provisioner;
        Time = time;
        Logger = logger;
        NamespaceUtf8 = System.Text.Encoding.UTF8.GetBytes(partition.Namespace.Namespace);
        PartitionGrain = grains.GetGrain<IPartitionGrain>(partition.TopicPartition.ToGrainKey());
        Coordinator = grains.GetGrain<IGroupCoordinatorGrain>(options.ConsumerGroupFor(providerName));
        Cache = new PartitionCache(this);
    }

    public QueuePartition Partition { get; }

    public TopicPartition TopicPartition => Partition.TopicPartition;

    public string ProviderName { get; }

    public OrleansLogStreamOptions Options { get; }

    public Serializer Serializer { get; }

    public TopicProvisioner Provisioner { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public byte[] NamespaceUtf8 { get; }

    public IPartitionGrain PartitionGrain { get; }

    public IGroupCoordinatorGrain Coordinator { get; }

    public PartitionCache Cache { get; }

    /// <summary>Cancelled when the queue's receiver shuts down: ends its reads and its cursors' log reads.</summary>
    public CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>The offset the group has committed for this queue, -1 before the receiver positioned itself.</summary>
    public long CommittedOffset { get; set; } = -1;

    /// <summary>The list the receiver returned last and the offset after its records (see <see cref="PartitionCache.AddToCache"/>).</summary>
    public IList<IBatchContainer>? LastHanded { get; set; }

    public long LastHandedEnd { get; set; } = -1;

    public bool HasWakeRequests => _wakeRequests.Count > 0;

    /// <summary>Completes when a replaying cursor asks to be woken; the receiver's long-poll waits on it too.</summary>
    public Task WakeSignal => _wakeSignal.Task;

    /// <summary>A replaying cursor of <paramref name="stream"/> has events again: have the agent resume it.</summary>
    public void RequestWake(StreamId stream)
    {
        _wakeRequests.Add(stream);
        _wakeSignal.TrySetResult();
    }

    /// <summary>Moves the pending wake requests into <paramref name="output"/> as markers.</summary>
    public void DrainWakeRequests(List<IBatchContainer> output)
    {
        if (_wakeRequests.Count == 0)
        {
            return;
        }

        var token = new Orleans.Providers.Streams.Common.EventSequenceTokenV2(Math.Max(0, Cache.EndOffset));
        foreach (StreamId stream in _wakeRequests)
        {
            output.Add(new WakeMarker(stream, token));
        }

        _wakeRequests.Clear();
        if (_wakeSignal.Task.IsCompleted)
        {
            _wakeSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>
    /// True the first time a cursor of <paramref name="stream"/> finds its offset gone: the subscriber is told
    /// once, and a cursor recreated for the same old token then starts at the log start without another error.
    /// </summary>
    public bool ShouldReportOutOfRange(StreamId stream)
    {
        if (_toldOutOfRange.Count > 10_000)
        {
            _toldOutOfRange.Clear();
        }

        return _toldOutOfRange.Add(stream);
    }

    /// <summary>A token for one call: cancelled at shutdown or after <see cref="OrleansLogStreamOptions.RequestTimeout"/> plus <paramref name="extra"/>.</summary>
    public CancellationTokenSource CallTimeout(TimeSpan extra = default)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        timeout.CancelAfter(Options.RequestTimeout + extra);
        return timeout;
    }

    public void Shutdown() => _shutdown.Cancel();

    public void Dispose() => _shutdown.Dispose();
}
