using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>Rebalances: starting one, completing the join phase with a new generation, timeouts, partition-count changes.</summary>
internal sealed partial class GroupStateMachine
{
    /// <summary>
    /// Fires every deadline that has passed: members whose session expired (members waiting in JoinGroup
    /// are alive by definition), members that did not sync within the rebalance timeout, and the end of
    /// the join phase (rebalance timeout or initial delay) — members that did not rejoin by then are
    /// removed and the generation completes without them.
    /// </summary>
    public void Tick()
    {
        long now = NowMs;
        foreach (GroupMember member in _members.Values.ToList())
        {
            if (!_members.ContainsKey(member.MemberId) || member.IsAwaitingJoin)
            {
                continue;
            }

            if (now >= member.HeartbeatDeadlineMs)
            {
                RemoveMember(member, RemovalReason.SessionTimeout);
            }
            else if (State == GroupState.CompletingRebalance && !member.Synced && now >= member.SyncDeadlineMs)
            {
                RemoveMember(member, RemovalReason.SyncTimeout);
            }
        }

        if (State == GroupState.PreparingRebalance && now >= _joinDeadlineMs)
        {
            _initialDelayActive = false;
            CompleteJoinPhase();
        }
    }

    /// <summary>
    /// Records the partition counts of topics (0 for a topic that does not exist), as the host fetched
    /// them. When a subscribed topic's known count differs from the one the current assignment used — it
    /// grew, was created or deleted — a Stable or CompletingRebalance group rebalances.
    /// </summary>
    public void UpdatePartitionCounts(IReadOnlyDictionary<string, int> counts)
    {
        long now = NowMs;
        foreach ((string topic, int count) in counts)
        {
            _partitionCounts[topic] = (Math.Max(0, count), now);
        }

        if (State is not (GroupState.Stable or GroupState.CompletingRebalance))
        {
            return;
        }

        foreach (string topic in SubscribedTopics())
        {
            // A topic whose count was never fetched (a coordinator that just resumed) proves nothing.
            if (!_partitionCounts.TryGetValue(topic, out (int Count, long FetchedAtMs) cached))
            {
                continue;
            }

            int current = cached.Count;
            int assigned = _assignedCounts.GetValueOrDefault(topic);
            if (current != assigned)
            {
                StartRebalance($"topic '{topic}' has {current} partitions; the assignment used {assigned}");
                return;
            }
        }
    }

    /// <summary>True when the cached partition count of <paramref name="topic"/> is missing, older than the refresh interval, or too small for <paramref name="partition"/>.</summary>
    public bool NeedsPartitionCount(string topic, int partition)
    {
        if (!_partitionCounts.TryGetValue(topic, out (int Count, long FetchedAtMs) cached))
        {
            return true;
        }

        return partition >= cached.Count
            || NowMs - cached.FetchedAtMs >= (long)_options.MetadataRefreshInterval.TotalMilliseconds;
    }

    private int CachedPartitionCount(string topic) =>
        _partitionCounts.TryGetValue(topic, out (int Count, long FetchedAtMs) cached) ? cached.Count : 0;

    private void StartRebalance(string reason, bool initial = false)
    {
        if (State == GroupState.PreparingRebalance)
        {
            MaybeCompleteJoinPhase();
            return;
        }

        long now = NowMs;
        long rebalanceTimeoutMs = 0;
        foreach (GroupMember member in _members.Values)
        {
            rebalanceTimeoutMs = Math.Max(rebalanceTimeoutMs, member.RebalanceTimeoutMs);
        }

        State = GroupState.PreparingRebalance;
        _followUpNeeded = false;
        if (initial)
        {
            long delayMs = Math.Min((long)_options.InitialRebalanceDelay.TotalMilliseconds, rebalanceTimeoutMs);
            _initialDelayActive = delayMs > 0;
            _initialDelayLimitMs = now + rebalanceTimeoutMs;
            _joinDeadlineMs = now + delayMs;
        }
        else
        {
            _initialDelayActive = false;
            _joinDeadlineMs = now + rebalanceTimeoutMs;
        }

        _effects.RebalancesStarted.Add(reason);
        MaybeCompleteJoinPhase();
    }

    private void MaybeCompleteJoinPhase()
    {
        if (State == GroupState.PreparingRebalance && !_initialDelayActive && _members.Values.All(static m => m.IsAwaitingJoin))
        {
            CompleteJoinPhase();
        }
    }

    /// <summary>
    /// Ends the join phase: removes members that did not rejoin, opens the next generation, computes its
    /// assignment with the leader's preferred assignor that every member supports, and answers every
    /// pending join. A group left without members becomes Empty (with the generation still advanced, as
    /// in Kafka, so that stale members stay fenced).
    /// </summary>
    private void CompleteJoinPhase()
    {
        foreach (GroupMember member in _members.Values.ToList())
        {
            if (!member.IsAwaitingJoin)
            {
                RemoveMemberQuietly(member, RemovalReason.RebalanceTimeout);
            }
        }

        _initialDelayActive = false;
        if (_members.Count == 0)
        {
            GenerationId++;
            Version++;
            State = GroupState.Empty;
            Assignor = null;
            LeaderId = null;
            _followUpNeeded = false;
            _assignedCounts = new Dictionary<string, int>(StringComparer.Ordinal);
            _effects.GenerationsCompleted.Add(new GenerationCompleted(GenerationId, 0, null, false));
            return;
        }

        var ordered = _members.Values.OrderBy(static m => m.JoinOrder).ToList();
        if (LeaderId is null || !_members.ContainsKey(LeaderId))
        {
            LeaderId = ordered[0].MemberId;
        }

        IPartitionAssignor assignor = ChooseAssignor(_members[LeaderId]);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string topic in SubscribedTopics())
        {
            counts[topic] = CachedPartitionCount(topic);
        }

        var inputs = new List<AssignorMember>(ordered.Count);
        foreach (GroupMember member in ordered)
        {
            inputs.Add(new AssignorMember(member.MemberId, member.GroupInstanceId, member.Topics, member.Assignment, member.OwnedPartitions));
        }

        // Checked before anything changes: a faulty assignor fails the join phase, not the group's state.
        IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> assignment = assignor.Assign(inputs, counts);
        int assigned = CheckAssignment(assignor, assignment, counts);
        GenerationId++;
        Version++;
        Assignor = assignor.Name;
        _assignedCounts = counts;
        _followUpNeeded = assignor.IsCooperative && assigned < EligiblePartitionCount(counts);
        State = GroupState.CompletingRebalance;
        long now = NowMs;
        foreach (GroupMember member in ordered)
        {
            member.Assignment = assignment[member.MemberId];
            member.IsNew = false;
            member.Synced = false;
            member.SyncDeadlineMs = now + member.RebalanceTimeoutMs;
            member.HeartbeatDeadlineMs = now + member.SessionTimeoutMs;
            long joinId = member.PendingJoinId!.Value;
            member.PendingJoinId = null;
            CompleteJoin(joinId, Success(member));
        }

        _effects.GenerationsCompleted.Add(new GenerationCompleted(GenerationId, ordered.Count, Assignor, _followUpNeeded));
    }

    private IPartitionAssignor ChooseAssignor(GroupMember leader)
    {
        foreach (string name in leader.Assignors)
        {
            IPartitionAssignor? assignor = _assignors.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.Ordinal));
            if (assignor is not null && _members.Values.All(m => m.Assignors.Contains(name, StringComparer.Ordinal)))
            {
                return assignor;
            }
        }

        // Every join was checked against every member, so a common assignor always exists.
        throw new InvalidOperationException(
            $"Group '{GroupId}': no assignor of leader {leader.MemberId} [{string.Join(", ", leader.Assignors)}] is supported by all {_members.Count} members.");
    }

    /// <summary>
    /// The assignor's output must cover every member and give each partition to at most one member that
    /// subscribes to its topic; anything else would let two consumers own a partition, so it fails loudly.
    /// Returns how many partitions were assigned.
    /// </summary>
    private int CheckAssignment(
        IPartitionAssignor assignor,
        IReadOnlyDictionary<string, IReadOnlyList<TopicPartition>> assignment,
        Dictionary<string, int> counts)
    {
        var seen = new HashSet<TopicPartition>();
        foreach (GroupMember member in _members.Values)
        {
            if (!assignment.TryGetValue(member.MemberId, out IReadOnlyList<TopicPartition>? partitions))
            {
                throw new InvalidOperationException($"Group '{GroupId}': assignor '{assignor.Name}' left out member {member.MemberId}.");
            }

            foreach (TopicPartition partition in partitions)
            {
                bool valid = member.Topics.Contains(partition.Topic, StringComparer.Ordinal)
                    && partition.Partition >= 0
                    && partition.Partition < counts.GetValueOrDefault(partition.Topic);
                if (!valid || !seen.Add(partition))
                {
                    throw new InvalidOperationException(
                        $"Group '{GroupId}': assignor '{assignor.Name}' gave {partition} to member {member.MemberId}, " +
                        (valid ? "which another member also got." : $"which is not a partition of its topics [{string.Join(", ", member.Topics)}]."));
                }
            }
        }

        return seen.Count;
    }

    private static int EligiblePartitionCount(Dictionary<string, int> counts)
    {
        int total = 0;
        foreach (int count in counts.Values)
        {
            total += count;
        }

        return total;
    }

    private void RemoveMember(GroupMember member, RemovalReason reason)
    {
        RemoveMemberQuietly(member, reason);
        if (State is GroupState.Stable or GroupState.CompletingRebalance)
        {
            StartRebalance($"member {member.MemberId} was removed: {reason}");
        }
        else
        {
            MaybeCompleteJoinPhase();
        }
    }

    /// <summary>Removes a member without starting a rebalance; its pending join, if any, is answered UnknownMemberId.</summary>
    private void RemoveMemberQuietly(GroupMember member, RemovalReason reason)
    {
        _members.Remove(member.MemberId);
        if (member.GroupInstanceId is { } instanceId
            && _staticMembers.TryGetValue(instanceId, out string? current)
            && string.Equals(current, member.MemberId, StringComparison.Ordinal))
        {
            _staticMembers.Remove(instanceId);
        }

        if (member.PendingJoinId is { } joinId)
        {
            member.PendingJoinId = null;
            CompleteJoin(joinId, Failure(ErrorCode.UnknownMemberId, $"member {member.MemberId} was removed: {reason}", member.MemberId));
        }

        if (string.Equals(LeaderId, member.MemberId, StringComparison.Ordinal))
        {
            LeaderId = null;
        }

        Version++;
        _effects.RemovedMembers.Add(new MemberRemoval(member.MemberId, member.GroupInstanceId, reason));
    }
}
