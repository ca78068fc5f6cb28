using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>
/// One consumer group's coordinator logic with no Orleans in it: Kafka's classic group protocol
/// (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) with generations, session and rebalance timeouts, the
/// initial rebalance delay and static membership, assignment computed here by an
/// <see cref="IPartitionAssignor"/>, and offset commits fenced by member id and generation.
/// </summary>
/// <remarks>
/// <para>States: Empty → PreparingRebalance (members join; ends when every known member rejoined, at the
/// rebalance timeout, or after the initial delay of an empty group) → CompletingRebalance (the new
/// generation's assignment is computed; members sync) → Stable (every member synced). A join, leave,
/// expiry or partition-count change moves Stable or CompletingRebalance back to PreparingRebalance.</para>
/// <para>Every command runs to completion synchronously and reads time from the injected
/// <see cref="TimeProvider"/>; timeouts fire only in <see cref="Tick"/>. Results that the host must
/// deliver later (answers to pending JoinGroup calls) and events worth logging accumulate as
/// <see cref="GroupEffects"/>. <see cref="Version"/> grows with every change that must be durable before
/// it is acknowledged; the host persists <see cref="Snapshot"/> when it moved.</para>
/// <para>Not thread-safe: the owning grain calls it from its turns only.</para>
/// </remarks>
internal sealed partial class GroupStateMachine
{
    private static readonly GroupEffects NoEffects = new();
    private readonly GroupCoordinatorOptions _options;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<IPartitionAssignor> _assignors;
    private readonly Func<string, string> _newMemberId;
    private readonly Dictionary<string, GroupMember> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _staticMembers = new(StringComparer.Ordinal);
    private readonly Dictionary<TopicPartition, CommittedOffset> _offsets = [];
    private readonly Dictionary<string, (int Count, long FetchedAtMs)> _partitionCounts = new(StringComparer.Ordinal);
    private Dictionary<string, int> _assignedCounts = new(StringComparer.Ordinal);
    private GroupEffects _effects = new();
    private long _nextJoinId;
    private long _nextJoinOrder;
    private long _joinDeadlineMs;
    private bool _initialDelayActive;
    private long _initialDelayLimitMs;
    private bool _followUpNeeded;

    /// <param name="groupId">The group id, used in messages.</param>
    /// <param name="options">Timeouts and bounds.</param>
    /// <param name="assignors">The assignors members may choose from.</param>
    /// <param name="time">The clock for deadlines and commit timestamps.</param>
    /// <param name="newMemberId">Makes a member id from a client id; default <c>{clientId}-{guid}</c> as Kafka does.</param>
    public GroupStateMachine(
        string groupId,
        GroupCoordinatorOptions options,
        IReadOnlyList<IPartitionAssignor> assignors,
        TimeProvider time,
        Func<string, string>? newMemberId = null)
    {
        GroupId = groupId;
        _options = options;
        _assignors = assignors;
        _time = time;
        _newMemberId = newMemberId ?? (static clientId => clientId + "-" + Guid.NewGuid().ToString("D"));
    }

    public string GroupId { get; }

    public GroupState State { get; private set; } = GroupState.Empty;

    public int GenerationId { get; private set; }

    /// <summary>The assignor of the current generation, or null while the group has had none.</summary>
    public string? Assignor { get; private set; }

    public string? LeaderId { get; private set; }

    /// <summary>The group exists: something joined, committed or reset offsets since it was created or deleted.</summary>
    public bool Exists { get; private set; }

    /// <summary>Grows with every change that must be durable before it is acknowledged.</summary>
    public long Version { get; private set; }

    public int MemberCount => _members.Count;

    public IEnumerable<GroupMember> Members => _members.Values;

    public GroupMember? FindMember(string memberId) => _members.GetValueOrDefault(memberId);

    /// <summary>Hands the effects collected since the last call to the caller and starts a new collection.</summary>
    public GroupEffects TakeEffects()
    {
        if (_effects.IsEmpty)
        {
            return NoEffects;
        }

        GroupEffects taken = _effects;
        _effects = new GroupEffects();
        return taken;
    }

    /// <summary>The earliest time (Unix ms) at which <see cref="Tick"/> has something to do, or <see cref="long.MaxValue"/>.</summary>
    public long NextDeadlineMs()
    {
        long next = State == GroupState.PreparingRebalance ? _joinDeadlineMs : long.MaxValue;
        foreach (GroupMember member in _members.Values)
        {
            if (member.IsAwaitingJoin)
            {
                continue;
            }

            next = Math.Min(next, member.HeartbeatDeadlineMs);
            if (State == GroupState.CompletingRebalance && !member.Synced)
            {
                next = Math.Min(next, member.SyncDeadlineMs);
            }
        }

        return next;
    }

    /// <summary>Every topic some member subscribes to, sorted.</summary>
    public IReadOnlyList<string> SubscribedTopics()
    {
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        foreach (GroupMember member in _members.Values)
        {
            topics.UnionWith(member.Topics);
        }

        return [.. topics];
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void MarkExists()
    {
        if (!Exists)
        {
            Exists = true;
            Version++;
        }
    }

    /// <summary>
    /// Kafka's member validation: a static member's instance id must map to the member id given
    /// (FencedInstanceId when another incarnation took it over), and the member must exist.
    /// </summary>
    private ErrorCode Identify(string memberId, string? groupInstanceId, out GroupMember? member, out string message)
    {
        member = null;
        if (groupInstanceId is not null)
        {
            if (!_staticMembers.TryGetValue(groupInstanceId, out string? current))
            {
                message = $"group '{GroupId}' has no member with group.instance.id '{groupInstanceId}'";
                return ErrorCode.UnknownMemberId;
            }

            if (!string.Equals(current, memberId, StringComparison.Ordinal))
            {
                message = $"group '{GroupId}': group.instance.id '{groupInstanceId}' now belongs to member {current}, not {memberId}";
                return ErrorCode.FencedInstanceId;
            }
        }

        if (!_members.TryGetValue(memberId, out member))
        {
            message = $"group '{GroupId}' has no member '{memberId}'";
            return ErrorCode.UnknownMemberId;
        }

        message = string.Empty;
        return ErrorCode.None;
    }

    private static string? NormalizeInstanceId(string? groupInstanceId) =>
        string.IsNullOrEmpty(groupInstanceId) ? null : groupInstanceId;
}
