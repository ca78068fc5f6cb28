using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Simulation.Replication;

/// <summary>
/// The follower's part, as the node's replica grain, fetcher manager and fetcher do it: follow and stop
/// under the epoch fence, truncate by leader epoch before fetching, fetch at the log end and apply the
/// answer with <see cref="FollowerRules"/>.
/// </summary>
internal sealed partial class ReplicationSimulation
{
    private const int ReplicaFetchMaxBytes = 2048;

    /// <summary><c>ReplicaGrain.FollowAsync</c> + <c>ReplicaFetcherManager.Follow</c>.</summary>
    private string Follow(SimulatedNode node, int leaderEpoch, string leaderNode)
    {
        if (leaderEpoch < node.Fence.LatestEpoch || leaderNode == node.Id || !TryOpenCopy(node))
        {
            return $"follow {leaderNode} in epoch {leaderEpoch} ignored (fence {node.Fence.LatestEpoch})";
        }

        int known = node.Fence.LatestEpoch;
        if (node.Fence.Accept(leaderEpoch) != ErrorCode.None)
        {
            return $"follow {leaderNode} in epoch {leaderEpoch} fenced";
        }

        if (node.Followed is { } followed)
        {
            if (leaderEpoch > known || followed.LeaderNode != leaderNode)
            {
                followed.Truncation.Close();
                followed.NotBefore = 0;
                followed.LeaderNode = leaderNode;
            }

            return $"follows {leaderNode} in epoch {leaderEpoch}";
        }

        node.Copy!.BecomeFollower();
        node.Followed = new FollowedPartition(Id, node.Copy, leaderNode, node.Fence);
        return $"starts following {leaderNode} in epoch {leaderEpoch}";
    }

    /// <summary><c>ReplicaFetcherManager.Stop</c>: the local leader takes office in <paramref name="leaderEpoch"/>.</summary>
    private void StopFollowing(SimulatedNode node, int leaderEpoch)
    {
        if (node.Fence.AcceptTentatively(leaderEpoch) == ErrorCode.None && node.Followed is { } followed)
        {
            node.Followed = null;
            followed.Copy.StopFollowing();
        }
    }

    private void SendFollow(SimulatedNode leader, SimulatedNode replica, int leaderEpoch) =>
        Send(new SimulatedMessage("follow", leader.Id, replica, () => Trace($"{replica.Id} {Follow(replica, leaderEpoch, leader.Id)}"), mayDuplicate: true));

    /// <summary>A follower's fetcher turn: truncate first when the gate is closed for the followed epoch, else fetch.</summary>
    private string? Fetch()
    {
        SimulatedNode[] followers = [.. UpNodes.Where(n => n.Followed is not null && n.FetchCall == 0 && !n.Truncating)];
        if (followers.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(followers);
        FollowedPartition followed = node.Followed!;
        if (followed.Copy.Log.IsFailed)
        {
            // ReplicaFetcher: a failed copy is not fetched for; it is reported and closed (CopyFailed).
            CloseFailedCopy(node, followed.Copy, "found failed by the fetcher");
            return $"{node.Id} stops following: its log failed";
        }

        return followed.Truncation.MayFetch(followed.Fence.LatestEpoch) ? SendFetch(node, followed) : StartTruncation(node, followed);
    }

    private string SendFetch(SimulatedNode node, FollowedPartition followed)
    {
        long call = _nextCall++;
        long fetchOffset = followed.Copy.Log.LogEndOffset;
        int epoch = followed.Fence.LatestEpoch;
        SimulatedNode leader = _nodes[followed.LeaderNode];
        node.FetchCall = call;
        Send(new SimulatedMessage(
            "fetch",
            node.Id,
            leader,
            () =>
            {
                ReplicaFetchResult result = leader.Copy is { } served
                    ? served.ReplicaFetch(node.Id, epoch, fetchOffset, ReplicaFetchMaxBytes)
                    : ReplicaFetchResult.Failure(ErrorCode.NotLeaderOrFollower, $"{leader.Id}'s log is offline", -1);
                Trace($"{leader.Id} answers {node.Id}'s fetch at {fetchOffset}: {result.Error}, {result.Records.Length} bytes, HW {result.HighWatermark}");
                Send(new SimulatedMessage(
                    "fetch-answer",
                    leader.Id,
                    node,
                    () => _ = ApplyFetchAnswerAsync(node, followed, call, fetchOffset, result),
                    () =>
                    {
                        result.Records.Dispose();
                        TimeOutFetch(node, call);
                    }));
            },
            () => TimeOutFetch(node, call),
            mayDuplicate: true));
        return $"{node.Id} fetches from {leader.Id} at {fetchOffset} in epoch {epoch}";
    }

    /// <summary>The call got no answer (it or its answer was lost): the fetcher gives up on it, unless an answer is being applied.</summary>
    private void TimeOutFetch(SimulatedNode node, long call)
    {
        if (node.FetchAnswered != call)
        {
            EndFetch(node, call);
        }
    }

    private void EndFetch(SimulatedNode node, long call)
    {
        if (node.FetchCall == call)
        {
            node.FetchCall = 0;
        }
    }

    private async Task ApplyFetchAnswerAsync(SimulatedNode node, FollowedPartition followed, long call, long fetchOffset, ReplicaFetchResult result)
    {
        try
        {
            if (node.FetchCall != call || node.FetchAnswered == call)
            {
                return; // the call was answered already (a duplicated request's second answer), or timed out
            }

            node.FetchAnswered = call;

            if (!ReferenceEquals(node.Followed, followed))
            {
                EndFetch(node, call);
                return;
            }

            FollowerAnswer answer = await FollowerRules.ApplyFetchAsync(followed, fetchOffset, result, CancellationToken.None);
            if (answer.Kind == FollowerAnswerKind.NewerEpoch)
            {
                followed.Fence.Accept(result.LeaderEpoch);
            }
            else if (answer.Kind == FollowerAnswerKind.AppendFailed && followed.Copy.Log.IsFailed)
            {
                CloseFailedCopy(node, followed.Copy, answer.Failure!.Message);
            }

            Trace($"{node.Id} applies the answer to its fetch at {fetchOffset}: {answer.Kind}{(answer.Failure is null ? "" : $" ({answer.Failure.Message})")}; log end {followed.Copy.Log.LogEndOffset}, HW {followed.Copy.HighWatermark}");
            EndFetch(node, call);
        }
        finally
        {
            result.Records.Dispose();
        }
    }

    /// <summary>The fetcher's truncation: OffsetForLeaderEpoch rounds with the leader, then one cut.</summary>
    private string StartTruncation(SimulatedNode node, FollowedPartition followed)
    {
        node.Truncating = true;
        _ = TruncateAsync(node, followed);
        return $"{node.Id} starts truncation against {followed.LeaderNode} in epoch {followed.Fence.LatestEpoch}";
    }

    private async Task TruncateAsync(SimulatedNode node, FollowedPartition followed)
    {
        int incarnation = node.Incarnation;
        Partition copy = followed.Copy;
        int fence = followed.Fence.LatestEpoch;
        long logEnd = copy.Log.LogEndOffset;
        string leaderNode = followed.LeaderNode;
        TruncationDecision decision;
        try
        {
            decision = await FollowerTruncation.ResolveAsync(
                copy.Log.LeaderEpochCache.Entries,
                logEnd,
                (epoch, _) => new ValueTask<EpochEndOffset>(AskOffsetForLeaderEpochAsync(node, followed, leaderNode, fence, epoch)),
                CancellationToken.None);
        }
        catch (TruncationRefusedException refused)
        {
            if (node.Incarnation == incarnation)
            {
                node.Truncating = false;
            }

            Trace($"{node.Id} truncation against {leaderNode} ends: {refused.Message}");
            return;
        }

        if (node.Incarnation != incarnation)
        {
            return;
        }

        node.Truncating = false;
        if (!ReferenceEquals(node.Followed, followed) || followed.LeaderNode != leaderNode)
        {
            Trace($"{node.Id} truncation result dropped: it no longer follows {leaderNode}");
            return;
        }

        bool done;
        try
        {
            done = FollowerRules.CompleteTruncation(followed, fence, logEnd, decision);
        }
        catch (KafkaStorageException ex)
        {
            CloseFailedCopy(node, copy, ex.Message);
            return;
        }

        Trace($"{node.Id} truncation in epoch {fence}: {decision.Outcome} at {decision.TruncateToOffset} ({(done ? "applied" : "stale, dropped")}); log end {copy.Log.LogEndOffset}");
    }

    /// <summary>One OffsetForLeaderEpoch round trip; a newer epoch in a fenced answer is adopted, as the fetcher does.</summary>
    private Task<EpochEndOffset> AskOffsetForLeaderEpochAsync(SimulatedNode node, FollowedPartition followed, string leaderNode, int fence, int epoch)
    {
        var answer = new TaskCompletionSource<EpochEndOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        SimulatedNode leader = _nodes[leaderNode];
        Send(new SimulatedMessage(
            "offset-for-leader-epoch",
            node.Id,
            leader,
            () =>
            {
                EpochEndOffsetResult result = leader.Copy is { } served
                    ? served.OffsetForLeaderEpoch(node.Id, fence, epoch)
                    : new EpochEndOffsetResult(ErrorCode.NotLeaderOrFollower, $"{leader.Id}'s log is offline", -1, -1, -1);
                Trace($"{leader.Id} answers {node.Id}'s OffsetForLeaderEpoch({epoch}) in epoch {fence}: {result.Error} epoch {result.EndOffsetEpoch} end {result.EndOffset}");
                Send(new SimulatedMessage(
                    "epoch-answer",
                    leader.Id,
                    node,
                    () =>
                    {
                        if (result.Error == ErrorCode.FencedLeaderEpoch && result.LeaderEpoch > followed.Fence.LatestEpoch)
                        {
                            followed.Fence.Accept(result.LeaderEpoch);
                        }

                        if (result.Error == ErrorCode.None)
                        {
                            answer.TrySetResult(new EpochEndOffset(result.EndOffsetEpoch, result.EndOffset));
                        }
                        else
                        {
                            answer.TrySetException(new TruncationRefusedException($"{result.Error}: {result.Message}"));
                        }
                    },
                    () => answer.TrySetException(new TruncationRefusedException("the call timed out"))));
            },
            () => answer.TrySetException(new TruncationRefusedException("the call timed out")),
            mayDuplicate: false));
        return answer.Task;
    }

    private sealed class TruncationRefusedException(string message) : Exception(message);
}
