using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>The durable projection of the machine, and resuming from it after the coordinator moved or restarted.</summary>
internal sealed partial class GroupStateMachine
{
    /// <summary>
    /// A new, independent copy of everything that must survive the coordinator: the host writes it as is,
    /// so later changes to the machine never touch a state object that is being serialized. A group in
    /// CompletingRebalance is recorded as Stable (every assignment is known; members that have not synced
    /// may still do so), unless a cooperative follow-up is due, which is recorded as a rebalance to resume.
    /// </summary>
    public GroupCoordinatorState Snapshot()
    {
        var state = new GroupCoordinatorState
        {
            Exists = Exists,
            State = State switch
            {
                GroupState.CompletingRebalance => _followUpNeeded ? GroupState.PreparingRebalance : GroupState.Stable,
                GroupState.Dead => GroupState.Empty,
                _ => State,
            },
            GenerationId = GenerationId,
            Assignor = Assignor,
            LeaderId = LeaderId,
            Members = new List<GroupMemberState>(_members.Count),
            Offsets = [.. _offsets.Values],
            AssignedPartitionCounts = new Dictionary<string, int>(_assignedCounts, StringComparer.Ordinal),
        };
        foreach (GroupMember member in _members.Values.OrderBy(static m => m.JoinOrder))
        {
            state.Members.Add(new GroupMemberState
            {
                MemberId = member.MemberId,
                GroupInstanceId = member.GroupInstanceId,
                ClientId = member.ClientId,
                SessionTimeoutMs = member.SessionTimeoutMs,
                RebalanceTimeoutMs = member.RebalanceTimeoutMs,
                Topics = [.. member.Topics],
                Assignors = [.. member.Assignors],
                Assignment = [.. member.Assignment],
            });
        }

        return state;
    }

    /// <summary>
    /// Resumes from a snapshot on a fresh machine. Members get a full session from now, so a member that
    /// died while the coordinator was away is removed one session timeout later. A group that was
    /// rebalancing starts that rebalance again; its members learn of it from their next heartbeat.
    /// </summary>
    public void Restore(GroupCoordinatorState state)
    {
        if (_members.Count > 0 || Exists || Version != 0)
        {
            throw new InvalidOperationException($"Group '{GroupId}': a snapshot can only be restored into a fresh state machine.");
        }

        if (!state.Exists)
        {
            return;
        }

        long now = NowMs;
        Exists = true;
        GenerationId = state.GenerationId;
        Assignor = state.Assignor;
        _assignedCounts = new Dictionary<string, int>(state.AssignedPartitionCounts, StringComparer.Ordinal);
        foreach (CommittedOffset offset in state.Offsets)
        {
            _offsets[offset.Partition] = offset;
        }

        foreach (GroupMemberState saved in state.Members)
        {
            var member = new GroupMember
            {
                MemberId = saved.MemberId,
                GroupInstanceId = saved.GroupInstanceId,
                ClientId = saved.ClientId,
                SessionTimeoutMs = saved.SessionTimeoutMs,
                RebalanceTimeoutMs = saved.RebalanceTimeoutMs,
                Topics = [.. saved.Topics],
                Assignors = [.. saved.Assignors],
                Assignment = [.. saved.Assignment],
                IsNew = false,
                Synced = true,
                HeartbeatDeadlineMs = now + saved.SessionTimeoutMs,
                JoinOrder = _nextJoinOrder++,
            };
            _members.Add(member.MemberId, member);
            if (member.GroupInstanceId is { } instanceId)
            {
                _staticMembers[instanceId] = member.MemberId;
            }
        }

        LeaderId = state.LeaderId is { } leader && _members.ContainsKey(leader) ? leader : null;
        if (_members.Count == 0)
        {
            State = GroupState.Empty;
        }
        else if (state.State == GroupState.PreparingRebalance)
        {
            State = GroupState.Stable;
            StartRebalance("the coordinator resumed a rebalance that was under way");
        }
        else
        {
            State = GroupState.Stable;
        }
    }
}
