using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Placement;
using OrleansLog.Grains.Cluster;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Placement;
using OrleansLog.Grains.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Partitions;

/// <summary>
/// The leader of one partition (key <c>"{topic}/{partition}"</c>): where it runs, the ETag-guarded
/// election, its timers, and delegation to this node's <see cref="Partition"/>, which holds the rules —
/// produce, fetch, the high watermark, acks=all, ISR. Followers on the other replicas' nodes copy from it
/// (<see cref="ReplicaGrain"/>).
/// <para>Reentrant on purpose: every append does its checks, offset assignment and page-cache write
/// synchronously within one turn (so order and producer state stay exact) and only then awaits the
/// group-committed fsync and the replicas; long-poll fetches wait without holding the turn.</para>
/// <para>Leadership (<c>PartitionGrain.Leadership.cs</c>): the grain is placed on the node
/// <see cref="LeaderElection"/> picks from the persisted replication record and is
/// <see cref="ImmovableAttribute">immovable</see>. On activation it takes office by writing a new leader
/// epoch with the record's ETag before it serves anything; activated anywhere else it is a stand-in that
/// serves nothing and moves to the chosen node. Once in office, the term's duties that change the
/// replication record — ISR changes, the periodic check, hand-over, reassignment — are
/// <see cref="LeaderTerm"/>'s; the grain runs its timer and carries out the grain calls it asks for.</para>
/// </summary>
[Reentrant]
[PartitionPlacement]
[Immovable]
[GrainType("olog-partition")]
internal sealed partial class PartitionGrain(
    [PersistentState("replication", OrleansLogOptions.StorageName)] IPersistentState<PartitionReplicationState> replicationState,
    LogManager logs,
    ReplicaFetcherManager fetchers,
    NodeIdentity node,
    ClusterNodes clusterNodes,
    IOptions<OrleansLogOptions> options,
    TimeProvider timeProvider,
    ILogger<PartitionGrain> logger) : Grain, IPartitionGrain, IPartitionLeaderGrain
{
    private TopicPartition _id;
    private ReplicationRecordStore _records = null!;
    private TopicConfig _config = TopicConfig.Default;
    private Guid _topicId;

    /// <summary>This activation's term in office while it leads; null otherwise.</summary>
    private LeaderTerm? _term;
    private Task<LeaderTerm?>? _opening;
    private string _unavailableReason = "not activated";
    private ErrorCode _unavailableError = ErrorCode.UnknownTopicOrPartition;

    /// <summary>The topic's replica assignment for this partition; empty for partitions not bound to nodes.</summary>
    private IReadOnlyList<string> _assigned = [];
    private IGrainTimer? _retentionTimer;
    private long _activatedAt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _activatedAt = timeProvider.GetTimestamp();
        _id = TopicPartition.ParseGrainKey(this.GetPrimaryKeyString());
        _records = new ReplicationRecordStore(replicationState, _id.ToString(), logger);
        return LeadingAsync(cancellationToken);
    }

    /// <summary>
    /// The partition this activation leads, or null with <see cref="_unavailableReason"/> set. An
    /// unavailable partition asks its topic again on the next call, because the topic may have been
    /// created or grown meanwhile; concurrent callers share one attempt. The attempt is bounded by its own
    /// call timeouts, not by the caller that started it: a caller that gives up must not fail the others
    /// waiting on the same attempt with its cancellation.
    /// </summary>
    private Task<LeaderTerm?> LeadingAsync(CancellationToken cancellationToken)
    {
        if (_term is not null)
        {
            return Task.FromResult<LeaderTerm?>(_term);
        }

        return (_opening ??= TakeOfficeOrStandInAsync(CancellationToken.None)).WaitAsync(cancellationToken);
    }

    private async Task<LeaderTerm?> TakeOfficeOrStandInAsync(CancellationToken cancellationToken)
    {
        try
        {
            TopicMetadata topic;
            using (CancellationTokenSource bounded = CallTimeouts.Bounded(cancellationToken))
            {
                topic = await GrainFactory.GetGrain<ITopicGrain>(_id.Topic).GetMetadataAsync(bounded.Token);
            }

            _assigned = topic.ReplicasOf(_id.Partition);
            if (!topic.Exists || _id.Partition < 0 || _id.Partition >= topic.PartitionCount)
            {
                _unavailableError = ErrorCode.UnknownTopicOrPartition;
                _unavailableReason = topic.Exists
                    ? $"topic '{_id.Topic}' has {topic.PartitionCount} partitions; partition {_id.Partition} does not exist"
                    : $"topic '{_id.Topic}' does not exist";
                return null;
            }

            _config = topic.Config;
            _topicId = topic.TopicId;
            return _assigned.Count > 0 ? await TakeOfficeAsync(cancellationToken) : await LeadUnboundAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _unavailableError = ErrorCode.LeaderNotAvailable;
            _unavailableReason = $"taking office on node '{node.NodeId}' timed out (a call to the topic or the local replica got no answer within {CallTimeouts.Control.TotalSeconds:0} s); retry";
            return null;
        }
        finally
        {
            _opening = null;
        }
    }

    /// <summary>A partition not bound to nodes (created before assignments existed) leads where it activates, alone.</summary>
    private async Task<LeaderTerm?> LeadUnboundAsync(CancellationToken cancellationToken)
    {
        Partition? partition = await OpenLocalAsync(cancellationToken);
        if (partition is null)
        {
            return null;
        }

        int epoch = Math.Max(0, partition.Log.LeaderEpochCache.LatestEpoch);
        return StartServing(partition, new LeaderAndIsr(node.NodeId, epoch, [node.NodeId], [node.NodeId], 0), stored: null);
    }

    private async Task<Partition?> OpenLocalAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await logs.GetOrOpenAsync(_id, _config, _topicId, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or KafkaStorageException)
        {
            _unavailableError = ErrorCode.KafkaStorageError;
            _unavailableReason = $"log of {_id} could not be opened: {ex.Message}";
            LogOpenFailed(logger, ex, _id.ToString());
            return null;
        }
    }

    /// <summary>The copy is this activation's to lead under <paramref name="record"/>: retention runs, and callers may come.</summary>
    private LeaderTerm StartServing(Partition partition, LeaderAndIsr record, PartitionReplicationState? stored)
    {
        var term = new LeaderTerm(
            partition, record, stored, stored is null ? null : _records, node.NodeId, IsAlive, this,
            new LeaderTermSettings(options.Value.AutoLeaderRebalance, options.Value.PreferredLeaderDelay), timeProvider, logger);
        TimeSpan interval = options.Value.RetentionCheckInterval;
        _retentionTimer?.Dispose();
        _retentionTimer = this.RegisterGrainTimer(
            static (grain, _) => grain.EnforceRetention(),
            this,
            new GrainTimerCreationOptions(interval, interval) { KeepAlive = true, Interleave = false });
        LogActivated(logger, _id.ToString(), partition.Log.LogStartOffset, partition.Log.LogEndOffset, partition.ProducerCount);
        _term = term;
        if (term.NeedsReplicationChecks)
        {
            StartReplicationTimer();
        }

        return term;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _standInTimer?.Dispose();
        _retentionTimer?.Dispose();
        _replicationTimer?.Dispose();
        if (_term is { } term)
        {
            term.Close(ErrorCode.NotLeaderOrFollower, $"the leader on node '{node.NodeId}' is deactivating; retry");

            // A follower on this node may take the copy over; only an unreplicated one is closed here.
            if (CurrentReplicas.Count <= 1)
            {
                logs.Close(_id);
            }

            _term = null;
        }

        return Task.CompletedTask;
    }

    public async Task<AppendResult> AppendAsync(RecordBatchPayload batch, Acks acks, CancellationToken cancellationToken = default)
    {
        if ((_term ?? await LeadingAsync(cancellationToken)) is not { } term)
        {
            return AppendResult.Failure(_unavailableError, $"{_id}: {_unavailableReason}");
        }

        AppendResult result = await term.Partition.AppendAsync(batch.Bytes, acks, cancellationToken);
        if (result.Error == ErrorCode.KafkaStorageError)
        {
            await term.LeaveAfterStorageFailureAsync(result.Message ?? "storage error");
        }

        return result;
    }

    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        if ((_term ?? await LeadingAsync(cancellationToken)) is not { } term)
        {
            return FetchResult.Failure(_unavailableError, $"{_id}: {_unavailableReason}");
        }

        FetchResult result = await term.Partition.FetchAsync(request, cancellationToken);
        if (result.Error == ErrorCode.KafkaStorageError)
        {
            await term.LeaveAfterStorageFailureAsync(result.Message ?? "storage error");
        }

        return result;
    }

    public async Task<ListOffsetsResult> ListOffsetsAsync(long timestamp, CancellationToken cancellationToken = default) =>
        (_term ?? await LeadingAsync(cancellationToken)) is { } term
            ? term.Partition.ListOffsets(timestamp)
            : new ListOffsetsResult(_unavailableError, -1, -1, $"{_id}: {_unavailableReason}");

    public async Task<AdminResult> DeleteRecordsBeforeAsync(long offset, CancellationToken cancellationToken = default) =>
        (_term ?? await LeadingAsync(cancellationToken)) is { } term
            ? term.Partition.DeleteRecordsBefore(offset)
            : AdminResult.Failure(_unavailableError, $"{_id}: {_unavailableReason}");

    public async Task<ReplicaFetchResult> ReplicaFetchAsync(ReplicaFetchRequest request, CancellationToken cancellationToken = default) =>
        (_term ?? await LeadingAsync(cancellationToken)) is { } term
            ? await term.Partition.ReplicaFetchAsync(request, cancellationToken)
            : ReplicaFetchResult.Failure(_unavailableError, $"{_id}: {_unavailableReason}");

    public async Task<EpochEndOffsetResult> OffsetForLeaderEpochAsync(string nodeId, int currentLeaderEpoch, int requestedEpoch, CancellationToken cancellationToken = default) =>
        (_term ?? await LeadingAsync(cancellationToken)) is { } term
            ? term.Partition.OffsetForLeaderEpoch(nodeId, currentLeaderEpoch, requestedEpoch)
            : new EpochEndOffsetResult(_unavailableError, $"{_id}: {_unavailableReason}", -1, -1, -1);

    public async Task<AdminResult> ReassignAsync(IReadOnlyList<string> replicas, CancellationToken cancellationToken = default)
    {
        if ((_term ?? await LeadingAsync(cancellationToken)) is not { } term)
        {
            return AdminResult.Failure(_unavailableError, $"{_id}: {_unavailableReason}");
        }

        AdminResult result = await term.ReassignAsync(replicas, cancellationToken);
        if (result.Error == ErrorCode.None && ReferenceEquals(_term, term))
        {
            StartReplicationTimer();
        }

        return result;
    }

    public async Task<PartitionDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        Partition? partition = (_term ?? await LeadingAsync(cancellationToken))?.Partition;
        IReadOnlyList<string> replicas = CurrentReplicas.Count > 0 ? CurrentReplicas : [node.NodeId];
        if (partition is null)
        {
            PartitionReplicationState stored = _records.Current;
            IReadOnlyList<string> isr = stored.IsInitialized ? stored.Isr : [];
            return new PartitionDescription(
                _id.Partition, _standInFor ?? stored.Leader ?? string.Empty, replicas, isr, stored.LeaderEpoch, -1, -1, -1, 0, _unavailableError, stored.TargetReplicas,
                _standInFor is null ? logs.FailureOf(_id) : null);
        }

        PartitionLog log = partition.Log;
        return new PartitionDescription(
            _id.Partition, node.NodeId, replicas, partition.Replication?.Isr ?? [node.NodeId], partition.LeaderEpoch,
            log.LogStartOffset, partition.HighWatermark, log.LogEndOffset, log.SizeInBytes, ErrorCode.None, _term?.Stored?.TargetReplicas, logs.FailureOf(_id));
    }

    public Task ApplyConfigAsync(TopicConfig config, CancellationToken cancellationToken = default)
    {
        _config = config;
        _term?.Partition.Reconfigure(config);
        return Task.CompletedTask;
    }

    public async Task DeletePartitionAsync(CancellationToken cancellationToken = default)
    {
        _retentionTimer?.Dispose();
        _retentionTimer = null;
        _replicationTimer?.Dispose();
        _replicationTimer = null;
        IReadOnlyList<string> replicas = CurrentReplicas;
        _term?.Close(ErrorCode.UnknownTopicOrPartition, $"topic '{_id.Topic}' was deleted");
        _term = null;
        _unavailableError = ErrorCode.UnknownTopicOrPartition;
        _unavailableReason = $"topic '{_id.Topic}' was deleted";
        if (replicas.Count == 0 ? _standInFor is null : replicas.Contains(node.NodeId))
        {
            // Only a replica's files are this node's to remove; a stand-in elsewhere touches nothing. The
            // epoch fence this node raised when it took office belongs to the deleted topic: kept, it would
            // refuse to follow a topic created again under this name, whose epochs start over at 0.
            logs.Delete(_id);
            fetchers.Forget(_id);
        }

        // The followers' copies go too, and the replication record, so a topic created again under this
        // name starts from its own assignment rather than this one's leaders and ISR.
        foreach (string replica in replicas)
        {
            if (replica != node.NodeId)
            {
                await TolerateUnreachableAsync(replica, GrainFactory.GetGrain<IReplicaGrain>(IReplicaGrain.KeyOf(_id, replica)).DeleteAsync(int.MaxValue, cancellationToken));
            }
        }

        await _records.ClearAsync(cancellationToken);
    }

    private Task EnforceRetention()
    {
        if (_term?.Partition is not { } partition)
        {
            return Task.CompletedTask;
        }

        try
        {
            RetentionResult result = partition.ApplyRetention();
            if (result.DeletedSegments > 0)
            {
                LogRetention(logger, _id.ToString(), result.DeletedSegments, partition.Log.LogStartOffset);
            }
        }
        catch (KafkaStorageException ex)
        {
            LogRetentionFailed(logger, ex, _id.ToString());
        }

        return Task.CompletedTask;
    }
}
