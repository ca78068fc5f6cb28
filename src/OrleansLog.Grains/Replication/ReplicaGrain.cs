using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansLog.Grains.Cluster;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Placement;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// A follower replica (key <c>"{topic}/{partition}@{node}"</c>), placed on its node and copying the
/// leader's log into the node's local log by pulling (Kafka's replica fetcher).
/// <para><b>Why pull:</b> the follower owns its pace and its log. One loop does catch-up after a restart
/// and steady-state copying; each fetch carries every batch appended since the previous one (up to
/// <see cref="OrleansLogOptions.ReplicaFetchMaxBytes"/>), so a busy partition replicates many producer
/// batches per round trip without the leader tracking per-follower send windows; the fetch offset doubles as
/// the acknowledgement that moves the high watermark; and truncation by leader epoch (KIP-101/KIP-279), which
/// only the follower can decide, happens in the same loop before it fetches from a new leader.</para>
/// <para><b>Fencing:</b> the replica remembers the newest leader epoch it has seen (<see cref="EpochFence"/>)
/// and sends it with every fetch; a leader of another epoch refuses the fetch, so a deposed leader can
/// never make it append, and a leader of an older epoch learns that it is stale.</para>
/// <para>Reentrant: the fetch loop awaits the leader without holding the turn; every step re-checks that the
/// replica still follows before it touches the log, so after <see cref="StopAsync"/> returns the log is the
/// local leader's alone. What goes into the log, and how, is <see cref="Partition"/>'s (its follower side);
/// this grain owns the loop, the epoch fence and truncation.</para>
/// <para>Liveness: the loop retries forever while following; whether this replica follows at all is checked by
/// its node (<see cref="LocalReplicaSupervisor"/>, which also keeps the activation alive), and a new leader
/// tells it when it takes office. There is no timer here.</para>
/// </summary>
[Reentrant]
[NodePlacement]
[GrainType("olog-replica")]
internal sealed partial class ReplicaGrain(
    LogManager logs,
    NodeIdentity node,
    ClusterNodes clusterNodes,
    IOptions<OrleansLogOptions> options,
    ILogger<ReplicaGrain> logger) : Grain, IReplicaGrain
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a call to the leader may go unanswered beyond its long-poll wait. Orleans does not fail a call
    /// in flight to a silo that was killed (it waits for its 30 s response timeout); without this a follower
    /// would keep waiting on its dead leader long after a new one took office.
    /// </summary>
    private static readonly TimeSpan LeaderCallTimeout = TimeSpan.FromSeconds(2);

    private TopicPartition _partition;
    private string _nodeId = string.Empty;
    private bool _onItsNode;
    private EpochFence _fence = new();
    private bool _following;
    private readonly TruncationGate _truncation = new();
    private CancellationTokenSource? _stop;
    private CancellationTokenSource? _attempt;
    private Task? _loop;
    private Partition? _copy;
    private TimeSpan _backoff = MinBackoff;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        int at = key.LastIndexOf('@');
        _partition = TopicPartition.ParseGrainKey(key[..at]);
        _nodeId = key[(at + 1)..];
        _onItsNode = string.Equals(_nodeId, node.NodeId, StringComparison.Ordinal);
        return Task.CompletedTask;
    }

    public Task FollowAsync(int leaderEpoch, CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
            return Task.CompletedTask;
        }

        int known = _fence.LatestEpoch;
        if (_fence.Accept(leaderEpoch) != ErrorCode.None)
        {
            LogStaleCall(logger, _partition.ToString(), _nodeId, "follow", leaderEpoch, _fence.LatestEpoch);
            return Task.CompletedTask;
        }

        if (_following && leaderEpoch == known)
        {
            LogAlreadyFollowing(logger, _partition.ToString(), _nodeId, leaderEpoch, _loop is { IsCompleted: false }, _attempt is not null);
        }

        if (_following && leaderEpoch > known)
        {
            // A new leader: whatever the loop is waiting for (perhaps an answer from the dead one) is moot.
            _truncation.Close();
            _attempt?.Cancel();
        }

        if (!_following)
        {
            _following = true;
            _truncation.Close();
            _stop = new CancellationTokenSource();
            _copy?.BecomeFollower();
            _loop = RunAsync(_stop.Token);
            LogFollowing(logger, _partition.ToString(), _nodeId, leaderEpoch);
        }

        return Task.CompletedTask;
    }

    public Task<ReplicaStatus> StopAsync(int leaderEpoch, CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
        }
        else if (_fence.Accept(leaderEpoch) == ErrorCode.None)
        {
            Stop();
            LogStopped(logger, _partition.ToString(), _nodeId, leaderEpoch);
        }

        return Task.FromResult(Status());
    }

    public Task DeleteAsync(int leaderEpoch, CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
        }
        else if (_fence.Accept(leaderEpoch) == ErrorCode.None)
        {
            Stop();
            _copy = null;
            logs.Delete(_partition);
            LogDeleted(logger, _partition.ToString(), _nodeId, leaderEpoch);
            this.DeactivateOnIdle();
        }

        return Task.CompletedTask;
    }

    /// <summary>The replica's state; a fetch loop that ended while following is restarted (the node's periodic check calls this).</summary>
    public Task<ReplicaStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        if (!_onItsNode)
        {
            LeaveWrongNode();
        }
        else if (_following && _stop is { } stop && (_loop is null || _loop.IsCompleted))
        {
            _loop = RunAsync(stop.Token);
        }

        return Task.FromResult(Status());
    }

    /// <summary>
    /// An activation placed off its node (because the node was down) has no disk to follow into and serves
    /// nothing. Once the node is active it migrates there: placement runs again, and the directory entry
    /// and queued calls move with it. A plain deactivation is not enough: calls already addressed to this
    /// silo recreate the grain here without placement, so a leader restarting the follower every check kept
    /// reaching an activation on the wrong node, and the returning node never rejoined the ISR.
    /// </summary>
    private void LeaveWrongNode()
    {
        bool nodeActive = clusterNodes.IsActive(_nodeId);
        LogOffItsNode(logger, _partition.ToString(), _nodeId, node.NodeId, nodeActive);
        if (nodeActive)
        {
            this.MigrateOnIdle();
        }
        else
        {
            this.DeactivateOnIdle();
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Stop();
        return Task.CompletedTask;
    }

    private ReplicaStatus Status()
    {
        Partition? copy = _copy;
        return new ReplicaStatus(
            _nodeId, _following, _fence.LatestEpoch, copy?.Log.LogStartOffset ?? -1, copy?.Log.LogEndOffset ?? -1, copy?.HighWatermark ?? -1);
    }

    private void Stop()
    {
        _following = false;
        _stop?.Cancel();
        _stop?.Dispose();
        _stop = null;
        _copy?.StopFollowing();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (_following && !cancellationToken.IsCancellationRequested)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _attempt = attempt;
            try
            {
                if (await FetchOnceAsync(attempt.Token))
                {
                    _backoff = MinBackoff;
                    continue;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested)
            {
                // Timed out, or a new leader took office: try again at once.
                LogFetchFailed(logger, _partition.ToString(), _nodeId, "OperationCanceledException", "no answer in time, or the leader changed");
                continue;
            }
            catch (Exception ex)
            {
                LogFetchFailed(logger, _partition.ToString(), _nodeId, ex.GetType().Name, ex.Message);
            }
            finally
            {
                _attempt = null;
            }

            try
            {
                await Task.Delay(_backoff, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            _backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, _backoff.Ticks * 2));
        }
    }

    /// <summary>One truncation (when needed) and one fetch; false when the caller should back off.</summary>
    private async Task<bool> FetchOnceAsync(CancellationToken cancellationToken)
    {
        Partition? copy = _copy ??= await OpenCopyAsync(cancellationToken);
        if (copy is null || !StillFollowing(cancellationToken))
        {
            return false;
        }

        if (copy.Role != PartitionRole.Follower)
        {
            copy.BecomeFollower();
        }

        PartitionLog log = copy.Log;

        IPartitionGrain leader = GrainFactory.GetGrain<IPartitionGrain>(_partition.ToGrainKey());
        if (!_truncation.MayFetch(_fence.LatestEpoch))
        {
            if (!await TruncateAsync(copy, leader, cancellationToken))
            {
                return false;
            }

            if (!_truncation.MayFetch(_fence.LatestEpoch))
            {
                // The leader's answer raised the fence mid-truncation: truncate again under the new epoch
                // before fetching anything.
                return true;
            }
        }

        var request = new ReplicaFetchRequest(
            _nodeId, _fence.LatestEpoch, log.LogEndOffset, options.Value.ReplicaFetchMaxBytes, (int)options.Value.ReplicaFetchWait.TotalMilliseconds);
        _attempt?.CancelAfter(options.Value.ReplicaFetchWait + LeaderCallTimeout);
        ReplicaFetchResult result = await leader.ReplicaFetchAsync(request, cancellationToken);
        try
        {
            if (!StillFollowing(cancellationToken))
            {
                return false;
            }

            switch (result.Error)
            {
                case ErrorCode.None:
                    await copy.AppendFetchedAsync(result, cancellationToken);
                    return true;

                case ErrorCode.FencedLeaderEpoch when result.LeaderEpoch > _fence.LatestEpoch:
                    // A newer leader: find where this log diverges from it before copying anything (the
                    // gate stays closed until a truncation completes under the new epoch).
                    _fence.Accept(result.LeaderEpoch);
                    return true;

                case ErrorCode.OffsetOutOfRange when result.LogStartOffset > request.FetchOffset:
                    LogStartingOver(logger, _partition.ToString(), _nodeId, request.FetchOffset, result.LogStartOffset);
                    copy.StartOverAt(result.LogStartOffset);
                    return true;

                case ErrorCode.OffsetOutOfRange when result.LogEndOffset >= 0 && request.FetchOffset > result.LogEndOffset:
                    // Only after an unresolved truncation (the leader knew none of this log's epochs, e.g. an
                    // unclean election): this log is ahead of the leader, and the leader's log wins.
                    LogAheadOfLeader(logger, _partition.ToString(), _nodeId, request.FetchOffset, result.LogEndOffset);
                    copy.TruncateTo(result.LogEndOffset);
                    return true;

                default:
                    LogFetchRefused(logger, _partition.ToString(), _nodeId, result.Error, result.Message);
                    return false;
            }
        }
        finally
        {
            result.Records.Dispose();
        }
    }

    private async Task<bool> TruncateAsync(Partition copy, IPartitionGrain leader, CancellationToken cancellationToken)
    {
        PartitionLog log = copy.Log;
        int fence = _fence.LatestEpoch;
        long logEnd = log.LogEndOffset;
        _attempt?.CancelAfter(LeaderCallTimeout);
        TruncationDecision decision;
        try
        {
            decision = await FollowerTruncation.ResolveAsync(
                log.LeaderEpochCache.Entries,
                logEnd,
                async (epoch, ct) =>
                {
                    EpochEndOffsetResult answer = await leader.OffsetForLeaderEpochAsync(_nodeId, fence, epoch, ct);
                    if (answer.Error == ErrorCode.FencedLeaderEpoch && answer.LeaderEpoch > _fence.LatestEpoch)
                    {
                        // A newer leader than we knew: adopt its epoch and ask again with it.
                        _fence.Accept(answer.LeaderEpoch);
                    }

                    return answer.Error == ErrorCode.None
                        ? new EpochEndOffset(answer.EndOffsetEpoch, answer.EndOffset)
                        : throw new LeaderRefusedException(answer.Error, answer.Message);
                },
                cancellationToken);
        }
        catch (LeaderRefusedException refused)
        {
            LogFetchRefused(logger, _partition.ToString(), _nodeId, refused.Error, refused.Message);
            return refused.Error == ErrorCode.FencedLeaderEpoch;
        }

        if (!StillFollowing(cancellationToken) || log.LogEndOffset != logEnd)
        {
            return false;
        }

        if (decision.Outcome == TruncationOutcome.Complete && decision.TruncateToOffset < logEnd)
        {
            LogTruncating(logger, _partition.ToString(), _nodeId, logEnd, decision.TruncateToOffset, decision.Reason);
            copy.TruncateTo(decision.TruncateToOffset);
        }
        else if (decision.Outcome == TruncationOutcome.Unresolved)
        {
            LogTruncationUnresolved(logger, _partition.ToString(), _nodeId, decision.Reason);
        }

        _truncation.Completed(fence);
        return true;
    }

    private async Task<Partition?> OpenCopyAsync(CancellationToken cancellationToken)
    {
        TopicMetadata topic;
        using (CancellationTokenSource bounded = CallTimeouts.Bounded(cancellationToken))
        {
            topic = await GrainFactory.GetGrain<ITopicGrain>(_partition.Topic).GetMetadataAsync(bounded.Token);
        }

        if (!topic.Exists || _partition.Partition >= topic.PartitionCount)
        {
            LogTopicGone(logger, _partition.ToString(), _nodeId);
            Stop();
            return null;
        }

        if (!StillFollowing(cancellationToken))
        {
            return null;
        }

        Partition copy = await logs.GetOrOpenAsync(_partition, topic.Config, cancellationToken);
        return StillFollowing(cancellationToken) ? copy : null;
    }

    private bool StillFollowing(CancellationToken cancellationToken) => _following && !cancellationToken.IsCancellationRequested;

    private sealed class LeaderRefusedException(ErrorCode error, string? message) : Exception(message ?? error.ToString())
    {
        public ErrorCode Error { get; } = error;
    }
}
