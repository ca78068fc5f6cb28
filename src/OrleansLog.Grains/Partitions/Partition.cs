using Microsoft.Extensions.Logging;
using OrleansLog.Grains.Replication;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// This node's copy of one partition and the rules it follows (Kafka's <c>Partition</c>): the log, the
/// role (leader in an epoch, or follower), the one high watermark, the leader's replication state with its
/// acks=all waiters, the idempotent producers' state, and the data-arrived signal that wakes long-polling
/// fetches. It uses no grain or runtime API (fetch results carry Orleans' pooled buffers, nothing more):
/// the partition grain (leader) and the node's replica fetcher (follower) drive it, elections and the
/// replication record stay with the grain, and tests drive it directly with a fake clock.
/// <para><b>Files:</b> produce (<c>Partition.Produce.cs</c>), consumer fetch and offsets
/// (<c>Partition.Fetch.cs</c>), the leader's side of replication (<c>Partition.Replication.cs</c>), the
/// follower's (<c>Partition.Follower.cs</c>); producer-state snapshots here.</para>
/// <para><b>Threading:</b> the leader grain's turns, the node's replica manager (serving followers' fetches
/// for every partition this node leads) and the node's replica fetcher (as follower) call in from their own
/// threads, so every read and change of state runs under one lock, never across an await. Role changes are
/// handed over explicitly: the follower stops before the leader starts. Fetches wait without the lock and
/// re-check the role when they wake.</para>
/// </summary>
internal sealed partial class Partition
{
    /// <summary>Kafka's replica.high.watermark.checkpoint.interval.ms: the HW goes to disk at most this often.</summary>
    private static readonly TimeSpan HighWatermarkCheckpointInterval = TimeSpan.FromSeconds(5);

    private readonly PartitionSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ProducerStateTable _producers = new();
    private readonly Lock _lock = new();
    private readonly Action? _nodeDataArrived;
    private TopicConfig _config;
    private LeaderReplicationState? _replication;
    private ILeaderHost? _host;
    private long _highWatermark;
    private TaskCompletionSource _dataArrived = NewSignal();
    private long _lastHighWatermarkCheckpoint;
    private long _checkpointedHighWatermark = -1;
    private long _snapshotSegment;

    /// <summary>Opens the partition over an open (recovered) log and loads its producer state.</summary>
    /// <param name="nodeDataArrived">Also called at every append and high-watermark move, to wake the node's follower fetches.</param>
    public Partition(
        TopicPartition id, PartitionLog log, TopicConfig config, PartitionSettings settings, TimeProvider timeProvider, ILogger<Partition> logger,
        Action? nodeDataArrived = null)
    {
        _nodeDataArrived = nodeDataArrived;
        Id = id;
        Log = log;
        _config = config;
        _settings = settings;
        _time = timeProvider;
        _logger = logger;
        _highWatermark = Math.Min(log.CheckpointedHighWatermark, log.LogEndOffset);
        _lastHighWatermarkCheckpoint = timeProvider.GetTimestamp();
        ProducerStateLoad = LoadProducerState();
    }

    public TopicPartition Id { get; }

    public PartitionLog Log { get; }

    public TopicConfig Config => _config;

    public PartitionRole Role { get; private set; }

    /// <summary>The epoch this copy leads in; -1 when it has never led.</summary>
    public int LeaderEpoch { get; private set; } = -1;

    /// <summary>
    /// The high watermark: while leading, the replication state's (min log end over the ISR); otherwise
    /// what the leader last said (follower) or the checkpoint.
    /// </summary>
    public long HighWatermark => _replication?.HighWatermark ?? _highWatermark;

    /// <summary>The leader's replication state (ISR, followers, pending proposal); null unless leading.</summary>
    public LeaderReplicationState? Replication => _replication;

    public int ProducerCount => _producers.ProducerCount;

    /// <summary>How the producer state was last loaded: from which snapshot, replaying how many batches.</summary>
    public ProducerStateLoad ProducerStateLoad { get; private set; }

    /// <summary>Completes at the next append, high-watermark move or role change.</summary>
    public Task DataArrived => _dataArrived.Task;

    /// <summary>
    /// Takes office in <paramref name="record"/>'s epoch: the high watermark starts at what this copy knew
    /// (as follower, or from the checkpoint), clamped to the log end — the whole log end when it is the only
    /// replica — and acks=all appends wait for <paramref name="record"/>'s ISR.
    /// </summary>
    public void BecomeLeader(LeaderAndIsr record, ILeaderHost host)
    {
        lock (_lock)
        {
            ArgumentNullException.ThrowIfNull(record);
            ArgumentNullException.ThrowIfNull(host);
            if (Role == PartitionRole.Leader)
            {
                Resign(ErrorCode.NotLeaderOrFollower, $"leader epoch {LeaderEpoch} ended; epoch {record.LeaderEpoch} takes office");
            }

            long highWatermark = record.Replicas.Count <= 1
                ? Log.LogEndOffset
                : Math.Min(Math.Max(_highWatermark, Log.CheckpointedHighWatermark), Log.LogEndOffset);
            if (DurabilityTracked)
            {
                // A single replica's HW starts at its log end, but under flush.messages=1 only as far as it is
                // known fsynced (a tail recovered after a kill may still be only in the page cache).
                highWatermark = Math.Min(highWatermark, Math.Max(Log.RecoveryPoint, Math.Min(_highWatermark, Log.LogEndOffset)));
            }
            _replication = new LeaderReplicationState(
                Id.ToString(), record, Log.LogEndOffset, highWatermark, _settings.ReplicaLagTime, _settings.MaxPendingReplicatedAppends, _time);
            _host = host;
            LeaderEpoch = record.LeaderEpoch;
            Role = PartitionRole.Leader;
            TrackLeaderDurability(_replication);
            Apply(_replication.Tick());
            LogBecameLeader(_logger, Id.ToString(), record.LeaderEpoch, string.Join(",", record.Isr), Log.LogEndOffset, HighWatermark);
        }
    }

    /// <summary>
    /// Stops leading: acks=all appends still waiting are answered <paramref name="error"/>, waiting fetches
    /// wake and find the partition no longer led here. The high watermark is kept.
    /// </summary>
    public void Resign(ErrorCode error, string reason)
    {
        lock (_lock)
        {
            if (_replication is { } replication)
            {
                _highWatermark = replication.HighWatermark;
                _replication = null;
                replication.FailPendingAppends(error);
                LogResigned(_logger, Id.ToString(), LeaderEpoch, error, reason);
            }

            _host = null;
            if (Role == PartitionRole.Leader)
            {
                Role = PartitionRole.None;
            }

            SignalDataArrived();
        }
    }

    /// <summary>Becomes a follower (the replica on this node starts copying); a leader resigns first.</summary>
    public void BecomeFollower()
    {
        lock (_lock)
        {
            if (Role == PartitionRole.Leader)
            {
                Resign(ErrorCode.NotLeaderOrFollower, "this node follows another leader now");
            }

            Role = PartitionRole.Follower;
        }
    }

    /// <summary>The follower stopped copying (the node's leader takes over, or the replica deactivated).</summary>
    public void StopFollowing()
    {
        lock (_lock)
        {
            if (Role == PartitionRole.Follower)
            {
                Role = PartitionRole.None;
            }
        }
    }

    /// <summary>Takes a changed topic configuration on (validation limits, retention, flush policy).</summary>
    public void Reconfigure(TopicConfig config)
    {
        lock (_lock)
        {
            if (config == _config)
            {
                return;
            }

            bool tracked = DurabilityTracked;
            _config = config;
            Log.Reconfigure(config.ToLogOptions());
            if (_replication is { } replication && tracked != DurabilityTracked)
            {
                TrackLeaderDurability(replication);
            }
        }
    }

    /// <summary>
    /// Under flush.messages=1 the leader's own copy counts towards the HW only as far as it is fsynced: from
    /// the recovery point (what is known durable; a copy that followed until now may have an append whose
    /// fsync is still pending) until one flush confirms the whole log end. Caller holds the lock.
    /// </summary>
    private void TrackLeaderDurability(LeaderReplicationState replication)
    {
        if (!DurabilityTracked)
        {
            Apply(replication.TrackLeaderDurability(null));
            return;
        }

        long logEnd = Log.LogEndOffset;
        Apply(replication.TrackLeaderDurability(Math.Min(Log.RecoveryPoint, logEnd)));
        if (Log.RecoveryPoint < logEnd)
        {
            // Only a tail past the recovery point needs the flush (none after a clean start).
            _ = ConfirmDurableAsync(replication, logEnd);
        }
    }

    private async Task ConfirmDurableAsync(LeaderReplicationState replication, long logEnd)
    {
        try
        {
            await Log.FlushAsync();
        }
        catch (Exception ex) when (ex is KafkaStorageException or ObjectDisposedException)
        {
            // The log failed or closed: its HW stays where the durable bytes end.
            return;
        }

        lock (_lock)
        {
            if (ReferenceEquals(_replication, replication))
            {
                Apply(replication.OnLeaderDurable(logEnd));
            }
        }
    }

    /// <summary>
    /// flush.messages=1: the leader counts only its fsynced bytes towards the high watermark, so neither a
    /// consumer nor an acks=all producer ever learns of a record a power cut on the leader could take back.
    /// </summary>
    private bool DurabilityTracked => Log.Options.FlushPolicy == FlushPolicy.Always;

    /// <summary>Deletes segments past retention, never at or above the high watermark (Kafka deletes only committed data).</summary>
    public RetentionResult ApplyRetention()
    {
        lock (_lock)
        {
            return Log.ApplyRetention(HighWatermark);
        }
    }

    /// <summary>Writes the high watermark to its checkpoint file if it moved and the last write is older than the interval.</summary>
    public void CheckpointHighWatermarkIfDue()
    {
        lock (_lock)
        {
            long highWatermark = HighWatermark;
            if (highWatermark == _checkpointedHighWatermark || _time.GetElapsedTime(_lastHighWatermarkCheckpoint) < HighWatermarkCheckpointInterval)
            {
                return;
            }

            _lastHighWatermarkCheckpoint = _time.GetTimestamp();
            try
            {
                Log.CheckpointHighWatermark(highWatermark);
                _checkpointedHighWatermark = highWatermark;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogHighWatermarkCheckpointFailed(_logger, Id.ToString(), ex.Message);
            }
        }
    }

    /// <summary>Clean close: a producer-state snapshot at the log end (so the next start replays nothing), then the log.</summary>
    public void Close()
    {
        lock (_lock)
        {
            Resign(ErrorCode.NotLeaderOrFollower, "the partition is closing");
            Role = PartitionRole.None;
            if (!Log.IsFailed)
            {
                WriteSnapshot(Log.LogEndOffset);
            }

            Log.Close();
        }
    }

    /// <summary>
    /// Loads the newest usable producer-state snapshot at or below the log end and replays the batches after
    /// it; a snapshot that is unreadable or corrupt is skipped for an older one, and with none the whole log
    /// is replayed. Snapshots above the log end (records cut by recovery or truncation) are deleted.
    /// </summary>
    private ProducerStateLoad LoadProducerState()
    {
        long logEnd = Log.LogEndOffset;
        long from = Log.LogStartOffset;
        long snapshotOffset = -1;
        _producers.Clear();
        foreach (long offset in ProducerStateSnapshot.List(Log.FileSystem, Log.Directory))
        {
            string path = ProducerStateSnapshot.PathOf(Log.Directory, offset);
            if (offset > logEnd)
            {
                TryDelete(path);
                continue;
            }

            if (ProducerStateSnapshot.TryRead(Log.FileSystem, path, out string? problem) is not { } entries)
            {
                LogSnapshotSkipped(_logger, Id.ToString(), path, problem ?? "unreadable");
                TryDelete(path);
                continue;
            }

            _producers.Import(entries);
            snapshotOffset = offset;
            from = Math.Max(offset, Log.LogStartOffset);
            break;
        }

        int replayed = 0;
        foreach (RecordBatchHeader stored in Log.ReadBatchHeaders(from))
        {
            _producers.Replay(stored);
            replayed++;
        }

        _snapshotSegment = Log.ActiveSegmentBaseOffset;
        return new ProducerStateLoad(snapshotOffset, replayed);
    }

    /// <summary>
    /// After an append: when the log rolled to a new segment, snapshots the producer state (Kafka: at segment
    /// roll). <paramref name="asOf"/> is the offset the state is complete below — the leader's batch's base
    /// offset before it is recorded, the log end after a follower's batches are.
    /// </summary>
    private void SnapshotIfRolled(long asOf)
    {
        long active = Log.ActiveSegmentBaseOffset;
        if (active != _snapshotSegment)
        {
            _snapshotSegment = active;
            WriteSnapshot(asOf);
        }
    }

    private void WriteSnapshot(long asOf)
    {
        try
        {
            ProducerStateSnapshot.Write(Log.FileSystem, Log.Directory, asOf, _producers.Export());
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A missing snapshot costs a longer replay on the next start, never a wrong state.
            LogSnapshotFailed(_logger, Id.ToString(), ex.Message);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            Log.FileSystem.DeleteFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSnapshotFailed(_logger, Id.ToString(), ex.Message);
        }
    }

    /// <summary>Wakes long-polling fetches (consumers and followers) and held-back batches.</summary>
    private void SignalDataArrived()
    {
        TaskCompletionSource signal = _dataArrived;
        _dataArrived = NewSignal();
        signal.TrySetResult();
        _nodeDataArrived?.Invoke();
    }

    /// <summary>
    /// Waits until the next append, high-watermark move or role change, the timeout, or cancellation.
    /// Always yields when nothing has arrived yet: with an already cancelled token the delay completes at
    /// once, and a caller's wait loop would otherwise spin synchronously until its deadline. Callers must
    /// check the token after it returns.
    /// </summary>
    private async Task WaitForDataAsync(Task dataArrived, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            await Task.Yield();
            return;
        }

        await dataArrived.CompletesWithinAsync(timeout, _time, cancellationToken);
    }

    private TimeSpan Remaining(long deadline) =>
        TimeSpan.FromSeconds(Math.Max(0, deadline - _time.GetTimestamp()) / (double)_time.TimestampFrequency);

    private long DeadlineAfter(TimeSpan wait) =>
        _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
