using Microsoft.Extensions.Logging;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Partitions;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// Copies every partition this node follows from one leader node (Kafka's ReplicaFetcherThread): one
/// fetch to that node's <see cref="IReplicaManagerGrain"/> carries all of them, each at its copy's log end
/// (which is also its acknowledgement), and each answer goes into its <see cref="Partition"/>. Within a
/// fetch session (<see cref="FetchSessionHandler"/>) a request names only the partitions whose log end
/// or epoch moved, and the answer only those with records or news.
/// <para>Before a partition is fetched under a new leader epoch it truncates where its log diverges from
/// the leader's, found by leader epoch (KIP-101/KIP-279); nothing is fetched before that truncation ran
/// against the followed epoch (<see cref="TruncationGate"/>). A partition the leader node refuses (it no
/// longer leads, or it is down) is asked for its leader — which also places the partition afresh — and
/// moves to that node's fetcher.</para>
/// </summary>
internal sealed partial class ReplicaFetcher(
    ReplicaFetcherManager manager,
    string leaderNode,
    IGrainFactory grains,
    NodeIdentity node,
    OrleansLogOptions options,
    TimeProvider timeProvider,
    ILogger<ReplicaFetcher> logger)
{
    /// <summary>
    /// How long a call to the leader may go unanswered beyond its long-poll wait. Orleans does not fail a call
    /// in flight to a silo that was killed (it waits for its 30 s response timeout); without this a follower
    /// would keep waiting on its dead leader long after a new one took office.
    /// </summary>
    private static readonly TimeSpan LeaderCallTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LeaderLookupInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(1);

    private readonly DataSignal _wake = new();
    private readonly FetchSessionHandler _session = new();
    private Task _loop = Task.CompletedTask;

    public string LeaderNode { get; } = leaderNode;

    /// <summary>Completes when the fetcher stopped (the silo is stopping, or nothing is left to follow there).</summary>
    public Task Completion => _loop;

    public void Start(CancellationToken cancellationToken) => _loop = Task.Run(() => RunAsync(cancellationToken), CancellationToken.None);

    /// <summary>A partition was added or changed: look again at once.</summary>
    public void Wake() => _wake.Signal();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        TimeSpan backoff = MinBackoff;
        while (!cancellationToken.IsCancellationRequested)
        {
            Task woken = _wake.Next;
            try
            {
                FollowedPartition[] partitions = manager.PartitionsOf(LeaderNode);
                if (partitions.Length == 0)
                {
                    if (manager.RetireIfIdle(this))
                    {
                        return;
                    }

                    await WaitAsync(woken, IdleCheck, cancellationToken);
                    continue;
                }

                bool fetched = await FetchOnceAsync(partitions, cancellationToken);
                if (fetched)
                {
                    backoff = MinBackoff;
                    continue;
                }

                await WaitAsync(woken, backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFetchFailed(logger, LeaderNode, ex.GetType().Name, ex.Message);
                await WaitAsync(woken, backoff, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    /// <summary>Truncates what needs it, then one fetch for every ready partition; false when nothing could be fetched (back off).</summary>
    private async Task<bool> FetchOnceAsync(FollowedPartition[] partitions, CancellationToken cancellationToken)
    {
        long now = timeProvider.GetTimestamp();
        // A copy whose log failed (an fsync or write error) is not fetched for: its log end may hold bytes
        // that never reached the disk, and a fetch at it would tell the leader they are replicated.
        foreach (FollowedPartition failed in partitions.Where(f => f.Copy.Log.IsFailed))
        {
            // Failed outside a fetch (a truncation, the commit scheduler's fsync): reported and closed here.
            manager.CopyFailed(failed, "the log failed (a write or fsync error)");
        }

        FollowedPartition[] due = [.. partitions.Where(f => f.NotBefore <= now && !f.Copy.Log.IsFailed)];

        // After a leader change many partitions truncate at once; each asks its own partition grain.
        await Task.WhenAll(due.Where(f => !f.Truncation.MayFetch(f.Fence.LatestEpoch)).Select(f => TruncateAsync(f, cancellationToken)));
        List<FollowedPartition> ready = [.. due.Where(f => f.NotBefore <= now && f.Truncation.MayFetch(f.Fence.LatestEpoch))];

        if (ready.Count == 0)
        {
            return false;
        }

        int perPartition = options.ReplicaFetchMaxBytes;
        PartitionFetch[] wanted = [.. ready.Select(f => new PartitionFetch(f.Id, f.Fence.LatestEpoch, f.Copy.Log.LogEndOffset, perPartition))];
        NodeFetchRequest request = _session.Build(
            node.NodeId, (int)options.ReplicaFetchWait.TotalMilliseconds, Math.Max(perPartition, options.ReplicaFetchMaxBytes * 8), wanted);
        NodeFetchResponse response;
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(options.ReplicaFetchWait + LeaderCallTimeout);
            response = await grains.GetGrain<IReplicaManagerGrain>(LeaderNode).FetchAsync(request, bounded.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The leader node is gone or slow: ask each partition where it is led now (all at once: each
            // call may wait for its own timeout).
            _session.Reset();
            LogFetchFailed(logger, LeaderNode, ex.GetType().Name, ex.Message);
            await Task.WhenAll(ready.Select(f => LookUpLeaderAsync(f, cancellationToken)));
            return false;
        }

        if (!_session.Accept(response))
        {
            // The leader lost the session (it restarted, or this fetcher gave up on a call): start over with a full fetch.
            LogSessionLost(logger, LeaderNode, response.Error, response.Message);
            return true;
        }

        // Only the partitions with records, an error or news are answered. They are independent: their
        // appends (and, with flush.messages=1, their group-committed fsyncs) proceed side by side.
        var followed = new Dictionary<TopicPartition, (FollowedPartition Partition, PartitionFetch Fetch)>(ready.Count);
        for (int i = 0; i < ready.Count; i++)
        {
            followed[ready[i].Id] = (ready[i], wanted[i]);
        }

        var answered = new List<FollowedPartition>(response.Partitions.Length);
        var handled = new List<Task<bool>>(response.Partitions.Length);
        for (int i = 0; i < response.Partitions.Length; i++)
        {
            if (followed.TryGetValue(response.Partitions[i], out var entry))
            {
                answered.Add(entry.Partition);
                handled.Add(HandleAndReleaseAsync(entry.Partition, entry.Fetch, response.Results[i], cancellationToken));
            }
            else
            {
                response.Results[i].Records.Dispose();
            }
        }

        bool[] accepted = await Task.WhenAll(handled);
        await Task.WhenAll(answered.Where((_, i) => !accepted[i]).Select(f => LookUpLeaderAsync(f, cancellationToken)));
        return true;
    }

    private async Task<bool> HandleAndReleaseAsync(FollowedPartition followed, PartitionFetch fetch, ReplicaFetchResult result, CancellationToken cancellationToken)
    {
        try
        {
            return await HandleAsync(followed, fetch, result, cancellationToken);
        }
        finally
        {
            result.Records.Dispose();
        }
    }

    /// <summary>Applies one partition's answer; false when the leader node refused it and the partition's leader must be looked up.</summary>
    private async Task<bool> HandleAsync(FollowedPartition followed, PartitionFetch fetch, ReplicaFetchResult result, CancellationToken cancellationToken)
    {
        if (!manager.StillFollows(followed, LeaderNode))
        {
            return true;
        }

        FollowerAnswer answer = await FollowerRules.ApplyFetchAsync(followed, fetch.FetchOffset, result, cancellationToken);
        switch (answer.Kind)
        {
            case FollowerAnswerKind.AppendFailed:
                LogPartitionFailed(logger, followed.Id.ToString(), LeaderNode, answer.Failure!.GetType().Name, answer.Failure.Message);
                if (followed.Copy.Log.IsFailed)
                {
                    manager.CopyFailed(followed, answer.Failure.Message);
                }
                else
                {
                    BackOff(followed);
                }

                return true;

            case FollowerAnswerKind.NewerEpoch:
                // A newer leader: find where this log diverges from it before copying anything.
                manager.AdoptEpoch(followed, result.LeaderEpoch);
                return true;

            case FollowerAnswerKind.StartedOver:
                LogStartingOver(logger, followed.Id.ToString(), fetch.FetchOffset, result.LogStartOffset);
                return true;

            case FollowerAnswerKind.CutToLeaderEnd:
                LogAheadOfLeader(logger, followed.Id.ToString(), fetch.FetchOffset, result.LogEndOffset);
                return true;

            case FollowerAnswerKind.Refused:
                LogPartitionRefused(logger, followed.Id.ToString(), LeaderNode, result.Error, result.Message);
                BackOff(followed);
                return false;

            default:
                return true;
        }
    }

    /// <summary>
    /// Truncation by leader epoch against the partition's leader (asked through the partition grain, which
    /// also places it afresh when its node is gone). True when the gate opened or the fence moved on (try
    /// again), false to back off.
    /// </summary>
    private async Task<bool> TruncateAsync(FollowedPartition followed, CancellationToken cancellationToken)
    {
        Partition copy = followed.Copy;
        int fence = followed.Fence.LatestEpoch;
        long logEnd = copy.Log.LogEndOffset;
        IPartitionGrain leader = grains.GetGrain<IPartitionGrain>(followed.Id.ToGrainKey());
        TruncationDecision decision;
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(LeaderCallTimeout);
            decision = await FollowerTruncation.ResolveAsync(
                copy.Log.LeaderEpochCache.Entries,
                logEnd,
                async (epoch, ct) =>
                {
                    EpochEndOffsetResult answer = await leader.OffsetForLeaderEpochAsync(node.NodeId, fence, epoch, ct);
                    if (answer.Error == ErrorCode.FencedLeaderEpoch && answer.LeaderEpoch > followed.Fence.LatestEpoch)
                    {
                        // A newer leader than we knew: adopt its epoch and ask again with it.
                        manager.AdoptEpoch(followed, answer.LeaderEpoch);
                    }

                    return answer.Error == ErrorCode.None
                        ? new EpochEndOffset(answer.EndOffsetEpoch, answer.EndOffset)
                        : throw new LeaderRefusedException(answer.Error, answer.Message);
                },
                bounded.Token);
        }
        catch (LeaderRefusedException refused)
        {
            LogPartitionRefused(logger, followed.Id.ToString(), LeaderNode, refused.Error, refused.Message);
            if (refused.Error != ErrorCode.FencedLeaderEpoch)
            {
                BackOff(followed);
                await LookUpLeaderAsync(followed, cancellationToken);
            }

            return false;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or OrleansException or TimeoutException)
        {
            LogPartitionFailed(logger, followed.Id.ToString(), LeaderNode, ex.GetType().Name, ex.Message);
            BackOff(followed);
            return false;
        }

        if (!manager.StillFollows(followed, LeaderNode) || !FollowerRules.CompleteTruncation(followed, fence, logEnd, decision))
        {
            return false;
        }

        if (decision.Outcome == TruncationOutcome.Complete && decision.TruncateToOffset < logEnd)
        {
            LogTruncating(logger, followed.Id.ToString(), logEnd, decision.TruncateToOffset, decision.Reason);
        }
        else if (decision.Outcome == TruncationOutcome.Unresolved)
        {
            LogTruncationUnresolved(logger, followed.Id.ToString(), decision.Reason);
        }

        return true;
    }

    /// <summary>
    /// Asks the partition where it is led now (at most every <see cref="LeaderLookupInterval"/>): the call
    /// activates it on a live in-sync replica if its node is gone. A leader elsewhere moves the partition
    /// to that node's fetcher; a deleted topic stops it.
    /// </summary>
    private async Task LookUpLeaderAsync(FollowedPartition followed, CancellationToken cancellationToken)
    {
        if (timeProvider.GetElapsedTime(followed.LastLeaderLookup) < LeaderLookupInterval)
        {
            return;
        }

        followed.LastLeaderLookup = timeProvider.GetTimestamp();
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(LeaderCallTimeout);
            PartitionDescription description = await grains.GetGrain<IPartitionGrain>(followed.Id.ToGrainKey()).DescribeAsync(bounded.Token);
            if (description.Error == ErrorCode.UnknownTopicOrPartition)
            {
                manager.Forget(followed.Id);
            }
            else if (description.Error == ErrorCode.None && description.Leader != node.NodeId && description.Replicas.Contains(node.NodeId)
                && (description.Leader != LeaderNode || description.LeaderEpoch > followed.Fence.LatestEpoch))
            {
                manager.Follow(followed.Id, followed.Copy, description.LeaderEpoch, description.Leader);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or OrleansException or TimeoutException)
        {
            LogPartitionFailed(logger, followed.Id.ToString(), LeaderNode, ex.GetType().Name, ex.Message);
        }
    }

    private void BackOff(FollowedPartition followed)
    {
        followed.Failures++;
        TimeSpan delay = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, MinBackoff.Ticks << Math.Min(followed.Failures, 10)));
        followed.NotBefore = timeProvider.GetTimestamp() + (long)(delay.TotalSeconds * timeProvider.TimestampFrequency);
    }

    private async Task WaitAsync(Task woken, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(woken, Task.Delay(timeout, timeProvider, cancel.Token));
        await cancel.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private sealed class LeaderRefusedException(ErrorCode error, string? message) : Exception(message ?? error.ToString())
    {
        public ErrorCode Error { get; } = error;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetch from node {Leader} failed ({Type}: {Reason}); retrying")]
    private static partial void LogFetchFailed(ILogger logger, string leader, string type, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetch session with node {Leader} lost ({Error}: {Reason}); starting over with a full fetch")]
    private static partial void LogSessionLost(ILogger logger, string leader, ErrorCode error, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: copying from node {Leader} failed ({Type}: {Reason}); retrying")]
    private static partial void LogPartitionFailed(ILogger logger, string partition, string leader, string type, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: node {Leader} refused the fetch: {Error} {Reason}")]
    private static partial void LogPartitionRefused(ILogger logger, string partition, string leader, ErrorCode error, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: truncating this copy from {LogEndOffset} to {Offset}: {Reason}")]
    private static partial void LogTruncating(ILogger logger, string partition, long logEndOffset, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: truncation unresolved: {Reason}")]
    private static partial void LogTruncationUnresolved(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: fetch offset {Offset} is below the leader's log start {LeaderLogStartOffset}; this copy starts over there")]
    private static partial void LogStartingOver(ILogger logger, string partition, long offset, long leaderLogStartOffset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: this copy ends at {Offset}, past the leader's log end {LeaderLogEndOffset}; truncating to the leader's")]
    private static partial void LogAheadOfLeader(ILogger logger, string partition, long offset, long leaderLogEndOffset);
}
