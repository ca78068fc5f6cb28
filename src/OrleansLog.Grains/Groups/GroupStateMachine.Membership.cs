using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>JoinGroup, SyncGroup, Heartbeat and LeaveGroup, with Kafka's error rules.</summary>
internal sealed partial class GroupStateMachine
{
    /// <summary>
    /// Kafka JoinGroup. A new member (empty member id) gets an id from the coordinator; a static member
    /// restarting (empty member id, known instance id) takes over its previous incarnation's place and
    /// assignment, fencing the old id. In Stable or CompletingRebalance a member that rejoins with an
    /// unchanged subscription gets the current generation back at once, as Kafka answers a follower; any
    /// other join starts or joins a rebalance and is answered when the join phase completes.
    /// </summary>
    public JoinOutcome Join(JoinGroupRequest request)
    {
        // Lists may arrive null from a foreign client; treat them as empty rather than fail the grain call.
        request = request with
        {
            MemberId = request.MemberId ?? string.Empty,
            ClientId = request.ClientId ?? string.Empty,
            Topics = request.Topics ?? [],
            Assignors = request.Assignors ?? [],
            OwnedPartitions = request.OwnedPartitions ?? [],
        };
        string? instanceId = NormalizeInstanceId(request.GroupInstanceId);
        if (GroupId.Length == 0)
        {
            return Reject(ErrorCode.InvalidGroupId, "the group id must not be empty", request.MemberId);
        }

        if (request.SessionTimeoutMs < _options.MinSessionTimeout.TotalMilliseconds
            || request.SessionTimeoutMs > _options.MaxSessionTimeout.TotalMilliseconds)
        {
            return Reject(
                ErrorCode.InvalidSessionTimeout,
                $"session timeout {request.SessionTimeoutMs} ms is outside the coordinator's range [{_options.MinSessionTimeout.TotalMilliseconds}, {_options.MaxSessionTimeout.TotalMilliseconds}] ms",
                request.MemberId);
        }

        if (FirstKnownAssignor(request.Assignors) is null)
        {
            return Reject(
                ErrorCode.InconsistentGroupProtocol,
                $"none of the assignors [{string.Join(", ", request.Assignors)}] is known to the coordinator (known: {string.Join(", ", _assignors.Select(a => a.Name))})",
                request.MemberId);
        }

        if (request.MemberId.Length == 0)
        {
            return instanceId is not null && _staticMembers.TryGetValue(instanceId, out string? previousId)
                ? RejoinStaticMember(_members[previousId], request)
                : JoinNewMember(request, instanceId);
        }

        ErrorCode error = Identify(request.MemberId, instanceId, out GroupMember? member, out string message);
        if (error != ErrorCode.None)
        {
            return Reject(error, message, request.MemberId);
        }

        if (!IsCompatible(request.Assignors, except: member))
        {
            return Reject(ErrorCode.InconsistentGroupProtocol, IncompatibleMessage(request.Assignors), request.MemberId);
        }

        bool changed = !SameSubscription(member!, request);
        Apply(member!, request);
        long joinId = AwaitJoin(member!);
        ContinueRejoin(member!, changed, $"member {member!.MemberId} rejoined with a new subscription");
        return new JoinOutcome(joinId, null);
    }

    /// <summary>
    /// Kafka SyncGroup: the member's assignment in <paramref name="generationId"/>. The coordinator has
    /// computed it when the join phase completed, so no member waits for another here.
    /// </summary>
    public SyncGroupResult Sync(string memberId, string? groupInstanceId, int generationId)
    {
        ErrorCode error = Identify(memberId, NormalizeInstanceId(groupInstanceId), out GroupMember? member, out string message);
        if (error != ErrorCode.None)
        {
            return new SyncGroupResult(error, message, GenerationId, []);
        }

        if (generationId != GenerationId)
        {
            return new SyncGroupResult(ErrorCode.IllegalGeneration, $"group '{GroupId}' is at generation {GenerationId}, not {generationId}", GenerationId, []);
        }

        if (State == GroupState.PreparingRebalance)
        {
            return new SyncGroupResult(ErrorCode.RebalanceInProgress, $"group '{GroupId}' is rebalancing; rejoin", GenerationId, []);
        }

        member!.Synced = true;
        member.HeartbeatDeadlineMs = NowMs + member.SessionTimeoutMs;
        var result = new SyncGroupResult(ErrorCode.None, null, GenerationId, member.Assignment);
        if (State == GroupState.CompletingRebalance && _members.Values.All(static m => m.Synced))
        {
            if (_followUpNeeded)
            {
                StartRebalance("cooperative follow-up: partitions revoked in this generation wait for their new owners");
            }
            else
            {
                State = GroupState.Stable;
            }
        }

        return result;
    }

    /// <summary>Kafka Heartbeat: extends the session; RebalanceInProgress while the group prepares a rebalance.</summary>
    public ErrorCode Heartbeat(string memberId, string? groupInstanceId, int generationId)
    {
        ErrorCode error = Identify(memberId, NormalizeInstanceId(groupInstanceId), out GroupMember? member, out _);
        if (error != ErrorCode.None)
        {
            return error;
        }

        if (generationId != GenerationId)
        {
            return ErrorCode.IllegalGeneration;
        }

        member!.HeartbeatDeadlineMs = NowMs + member.SessionTimeoutMs;
        return State == GroupState.PreparingRebalance ? ErrorCode.RebalanceInProgress : ErrorCode.None;
    }

    /// <summary>
    /// Kafka LeaveGroup: removes the member at once and rebalances the others. A static member may be
    /// named by its instance id alone (as the admin client does); with both ids they must match.
    /// </summary>
    public ErrorCode Leave(string memberId, string? groupInstanceId)
    {
        string? instanceId = NormalizeInstanceId(groupInstanceId);
        GroupMember? member;
        if (instanceId is not null)
        {
            if (!_staticMembers.TryGetValue(instanceId, out string? current))
            {
                return ErrorCode.UnknownMemberId;
            }

            if (memberId.Length > 0 && !string.Equals(memberId, current, StringComparison.Ordinal))
            {
                return ErrorCode.FencedInstanceId;
            }

            member = _members[current];
        }
        else if (!_members.TryGetValue(memberId, out member))
        {
            return ErrorCode.UnknownMemberId;
        }

        RemoveMember(member, RemovalReason.Left);
        return ErrorCode.None;
    }

    /// <summary>
    /// The caller of pending join <paramref name="joinId"/> gave up. A member that never learned its id is
    /// removed (nobody could ever use it); a known member stays, since it will call again with its id.
    /// </summary>
    public void CancelJoin(long joinId)
    {
        foreach (GroupMember member in _members.Values)
        {
            if (member.PendingJoinId == joinId)
            {
                if (member.IsNew)
                {
                    RemoveMember(member, RemovalReason.JoinCancelled);
                }

                return;
            }
        }
    }

    private JoinOutcome JoinNewMember(JoinGroupRequest request, string? instanceId)
    {
        if (_members.Count >= _options.MaxGroupSize)
        {
            return Reject(ErrorCode.GroupMaxSizeReached, $"group '{GroupId}' has reached its maximum of {_options.MaxGroupSize} members", string.Empty);
        }

        if (!IsCompatible(request.Assignors, except: null))
        {
            return Reject(ErrorCode.InconsistentGroupProtocol, IncompatibleMessage(request.Assignors), string.Empty);
        }

        var member = new GroupMember
        {
            MemberId = _newMemberId(request.ClientId),
            GroupInstanceId = instanceId,
            JoinOrder = _nextJoinOrder++,
        };
        Apply(member, request);
        _members.Add(member.MemberId, member);
        if (instanceId is not null)
        {
            _staticMembers[instanceId] = member.MemberId;
        }

        MarkExists();
        long joinId = AwaitJoin(member);
        switch (State)
        {
            case GroupState.Empty:
                StartRebalance($"member {member.MemberId} joined the empty group", initial: true);
                break;
            case GroupState.PreparingRebalance:
                if (_initialDelayActive)
                {
                    // Kafka's InitialDelayedJoin: each newcomer buys the others another delay, up to the limit.
                    _joinDeadlineMs = Math.Min(NowMs + (long)_options.InitialRebalanceDelay.TotalMilliseconds, _initialDelayLimitMs);
                }

                MaybeCompleteJoinPhase();
                break;
            default:
                StartRebalance($"member {member.MemberId} joined");
                break;
        }

        return new JoinOutcome(joinId, null);
    }

    /// <summary>
    /// KIP-345: a static member restarted. The new incarnation gets a new member id and keeps the old
    /// one's assignment and generation; the old id is fenced (FencedInstanceId from then on), and its
    /// pending join, if any, is answered so.
    /// </summary>
    private JoinOutcome RejoinStaticMember(GroupMember member, JoinGroupRequest request)
    {
        if (!IsCompatible(request.Assignors, except: member))
        {
            return Reject(ErrorCode.InconsistentGroupProtocol, IncompatibleMessage(request.Assignors), string.Empty);
        }

        string previousId = member.MemberId;
        if (member.PendingJoinId is { } fenced)
        {
            member.PendingJoinId = null;
            CompleteJoin(fenced, Failure(
                ErrorCode.FencedInstanceId,
                $"group '{GroupId}': group.instance.id '{member.GroupInstanceId}' was taken over by a newer member",
                previousId));
        }

        bool changed = !SameSubscription(member, request);
        _members.Remove(previousId);
        member.MemberId = _newMemberId(request.ClientId);
        _members.Add(member.MemberId, member);
        _staticMembers[member.GroupInstanceId!] = member.MemberId;
        if (string.Equals(LeaderId, previousId, StringComparison.Ordinal))
        {
            LeaderId = member.MemberId;
        }

        Apply(member, request);
        Version++;
        _effects.StaticMembersReplaced.Add((previousId, member.MemberId));
        long joinId = AwaitJoin(member);
        ContinueRejoin(member, changed, $"static member {member.GroupInstanceId} restarted with a new subscription");
        return new JoinOutcome(joinId, null);
    }

    /// <summary>A known member is awaiting join: answer it now, join the rebalance under way, or start one.</summary>
    private void ContinueRejoin(GroupMember member, bool subscriptionChanged, string reason)
    {
        switch (State)
        {
            case GroupState.PreparingRebalance:
                MaybeCompleteJoinPhase();
                break;
            case GroupState.CompletingRebalance or GroupState.Stable when !subscriptionChanged:
                long joinId = member.PendingJoinId!.Value;
                member.PendingJoinId = null;
                CompleteJoin(joinId, Success(member));
                break;
            default:
                StartRebalance(reason);
                break;
        }
    }

    private void Apply(GroupMember member, JoinGroupRequest request)
    {
        member.ClientId = request.ClientId;
        member.SessionTimeoutMs = request.SessionTimeoutMs;
        member.RebalanceTimeoutMs = request.RebalanceTimeoutMs > 0 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs;
        member.Topics = [.. new SortedSet<string>(request.Topics, StringComparer.Ordinal)];
        member.Assignors = [.. request.Assignors];
        member.OwnedPartitions = [.. request.OwnedPartitions];
        member.HeartbeatDeadlineMs = NowMs + member.SessionTimeoutMs;
    }

    private long AwaitJoin(GroupMember member)
    {
        if (member.PendingJoinId is { } superseded)
        {
            CompleteJoin(superseded, Failure(
                ErrorCode.RebalanceInProgress,
                $"group '{GroupId}': superseded by a newer JoinGroup of member {member.MemberId}",
                member.MemberId));
        }

        member.PendingJoinId = ++_nextJoinId;
        return member.PendingJoinId.Value;
    }

    private static bool SameSubscription(GroupMember member, JoinGroupRequest request) =>
        member.Topics.SequenceEqual(new SortedSet<string>(request.Topics, StringComparer.Ordinal), StringComparer.Ordinal)
        && member.Assignors.SequenceEqual(request.Assignors, StringComparer.Ordinal);

    private IPartitionAssignor? FirstKnownAssignor(IReadOnlyList<string> names)
    {
        foreach (string name in names)
        {
            foreach (IPartitionAssignor assignor in _assignors)
            {
                if (string.Equals(assignor.Name, name, StringComparison.Ordinal))
                {
                    return assignor;
                }
            }
        }

        return null;
    }

    /// <summary>True when some assignor in <paramref name="names"/> is known here and supported by every other member.</summary>
    private bool IsCompatible(IReadOnlyList<string> names, GroupMember? except)
    {
        foreach (string name in names)
        {
            if (!_assignors.Any(a => string.Equals(a.Name, name, StringComparison.Ordinal)))
            {
                continue;
            }

            bool everyone = true;
            foreach (GroupMember other in _members.Values)
            {
                if (!ReferenceEquals(other, except) && !other.Assignors.Contains(name, StringComparer.Ordinal))
                {
                    everyone = false;
                    break;
                }
            }

            if (everyone)
            {
                return true;
            }
        }

        return false;
    }

    private string IncompatibleMessage(IReadOnlyList<string> names) =>
        $"group '{GroupId}': none of the assignors [{string.Join(", ", names)}] is supported by every member";

    private JoinOutcome Reject(ErrorCode error, string message, string memberId) =>
        new(0, Failure(error, message, memberId));

    private JoinGroupResult Failure(ErrorCode error, string message, string memberId) =>
        new(error, message.StartsWith("group '", StringComparison.Ordinal) ? message : $"group '{GroupId}': {message}", memberId, GenerationId, null, null);

    private JoinGroupResult Success(GroupMember member) =>
        new(ErrorCode.None, null, member.MemberId, GenerationId, Assignor, LeaderId);

    private void CompleteJoin(long joinId, JoinGroupResult result) =>
        _effects.CompletedJoins.Add(new JoinCompletion(joinId, result));
}
