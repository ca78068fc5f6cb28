using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>Offset commits and fetches, resets, deletion, and the description with lag.</summary>
internal sealed partial class GroupStateMachine
{
    /// <summary>
    /// Kafka OffsetCommit with the classic group's fencing (<c>ClassicGroup.validateOffsetCommit</c>):
    /// <list type="bullet">
    /// <item>generation &lt; 0 while the group has no members: allowed (a consumer outside group management, or an admin);</item>
    /// <item>otherwise the member must exist (UnknownMemberId), its instance id must be its own (FencedInstanceId),
    /// and the generation must be the current one (IllegalGeneration) — so a commit from the generation
    /// being rebalanced is still accepted while the group prepares, as in Kafka;</item>
    /// <item>an empty member id with generation -1 while the group has members: UnknownMemberId;</item>
    /// <item>CompletingRebalance: RebalanceInProgress for a member that has not synced the new generation yet.
    /// (In Kafka no member can have synced while the group completes, because the leader's sync ends that
    /// state; here the coordinator assigns, so members that already have their assignment may commit.)</item>
    /// </list>
    /// A request-level error commits nothing. Otherwise each partition commits unless it does not exist
    /// (UnknownTopicOrPartition, per the cached partition counts), its metadata is too long
    /// (OffsetMetadataTooLarge) or its offset is negative (OffsetOutOfRange).
    /// </summary>
    public OffsetCommitResult Commit(OffsetCommitRequest request)
    {
        if (GroupId.Length == 0)
        {
            return new OffsetCommitResult(ErrorCode.InvalidGroupId, "the group id must not be empty", []);
        }

        request = request with { MemberId = request.MemberId ?? string.Empty, Offsets = request.Offsets ?? [] };
        ErrorCode error = ValidateCommit(request, out string? message);
        if (error != ErrorCode.None)
        {
            return new OffsetCommitResult(error, message, []);
        }

        long now = NowMs;
        var results = new PartitionError[request.Offsets.Count];
        bool committed = false;
        for (int i = 0; i < results.Length; i++)
        {
            OffsetCommitEntry entry = request.Offsets[i];
            TopicPartition partition = entry.Partition;
            (ErrorCode partitionError, string? partitionMessage) = CheckEntry(entry);
            if (partitionError == ErrorCode.None)
            {
                _offsets[partition] = new CommittedOffset(partition, entry.Offset, entry.Metadata, now);
                committed = true;
            }

            results[i] = new PartitionError(partition, partitionError, partitionMessage);
        }

        if (committed)
        {
            MarkExists();
            Version++;
        }

        return new OffsetCommitResult(ErrorCode.None, null, results);
    }

    /// <summary>Kafka OffsetFetch: the given partitions' committed offsets (-1 where none), or every committed one when null.</summary>
    public IReadOnlyList<CommittedOffset> FetchOffsets(IReadOnlyList<TopicPartition>? partitions)
    {
        if (partitions is null)
        {
            var all = new List<CommittedOffset>(_offsets.Values);
            all.Sort(static (a, b) => TopicPartitionOrder.Instance.Compare(a.Partition, b.Partition));
            return all;
        }

        var result = new CommittedOffset[partitions.Count];
        for (int i = 0; i < result.Length; i++)
        {
            TopicPartition partition = partitions[i];
            result[i] = _offsets.TryGetValue(partition, out CommittedOffset? committed)
                ? committed
                : new CommittedOffset(partition, -1, null, -1);
        }

        return result;
    }

    /// <summary>NonEmptyGroup while the group has members: offsets may only be reset or deleted when nobody consumes.</summary>
    public AdminResult CheckNoMembers(string action) =>
        _members.Count == 0
            ? AdminResult.Ok
            : AdminResult.Failure(ErrorCode.NonEmptyGroup, $"group '{GroupId}' has {_members.Count} active members; stop them before you {action}");

    /// <summary>Moves committed offsets to <paramref name="targets"/> (an explicit reset may go backwards); only without members.</summary>
    public AdminResult ResetOffsets(IReadOnlyList<(TopicPartition Partition, long Offset)> targets)
    {
        AdminResult allowed = CheckNoMembers("reset offsets");
        if (!allowed.IsSuccess)
        {
            return allowed;
        }

        long now = NowMs;
        foreach ((TopicPartition partition, long offset) in targets)
        {
            _offsets[partition] = new CommittedOffset(partition, offset, null, now);
        }

        MarkExists();
        Version++;
        return AdminResult.Ok;
    }

    /// <summary>
    /// The topic was deleted: its committed offsets go (Kafka removes offsets of deleted partitions whatever
    /// the group's state), so a topic created again under that name is read from the group's reset policy,
    /// not from an old offset that may lie past its log end. Returns how many were removed.
    /// </summary>
    public int ForgetTopic(string topic)
    {
        int removed = 0;
        foreach (TopicPartition partition in _offsets.Keys.Where(p => p.Topic == topic).ToList())
        {
            _offsets.Remove(partition);
            removed++;
        }

        if (removed > 0)
        {
            Version++;
        }

        return removed;
    }

    /// <summary>Deletes the group's offsets and generation history; GroupIdNotFound if it does not exist, NonEmptyGroup while it has members.</summary>
    public AdminResult Delete()
    {
        if (!Exists)
        {
            return AdminResult.Failure(ErrorCode.GroupIdNotFound, $"group '{GroupId}' does not exist");
        }

        AdminResult allowed = CheckNoMembers("delete the group");
        if (!allowed.IsSuccess)
        {
            return allowed;
        }

        _offsets.Clear();
        _assignedCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        GenerationId = 0;
        Assignor = null;
        LeaderId = null;
        State = GroupState.Empty;
        Exists = false;
        Version++;
        return AdminResult.Ok;
    }

    /// <summary>The partitions lag is reported for: every partition of the subscribed topics, and every partition with a committed offset.</summary>
    public IReadOnlyList<TopicPartition> PartitionsForLag()
    {
        var partitions = new SortedSet<TopicPartition>(_offsets.Keys, TopicPartitionOrder.Instance);
        foreach (string topic in SubscribedTopics())
        {
            int count = CachedPartitionCount(topic);
            for (int p = 0; p < count; p++)
            {
                partitions.Add(new TopicPartition(topic, p));
            }
        }

        return [.. partitions];
    }

    /// <summary>
    /// State, members with their assignments, and lag for <see cref="PartitionsForLag"/>. Lag is
    /// high watermark − committed offset (never below 0). Without a committed offset it is high watermark −
    /// log start offset: what a consumer starting from the earliest retained record would still read.
    /// A partition whose watermarks are unknown (absent from <paramref name="watermarks"/>, or negative)
    /// shows high watermark -1 and lag 0.
    /// </summary>
    public GroupDescription Describe(IReadOnlyDictionary<TopicPartition, PartitionWatermarks> watermarks)
    {
        var owners = new Dictionary<TopicPartition, string>();
        var members = new List<GroupMemberDescription>(_members.Count);
        foreach (GroupMember member in _members.Values.OrderBy(static m => m.JoinOrder))
        {
            members.Add(new GroupMemberDescription(member.MemberId, member.GroupInstanceId, member.ClientId, member.Assignment));
            foreach (TopicPartition partition in member.Assignment)
            {
                owners[partition] = member.MemberId;
            }
        }

        IReadOnlyList<TopicPartition> partitions = PartitionsForLag();
        var lags = new List<PartitionLag>(partitions.Count);
        long total = 0;
        foreach (TopicPartition partition in partitions)
        {
            long committed = _offsets.TryGetValue(partition, out CommittedOffset? offset) ? offset.Offset : -1;
            PartitionWatermarks marks = watermarks.TryGetValue(partition, out PartitionWatermarks found) ? found : new PartitionWatermarks(-1, -1);
            long lag = marks.HighWatermark < 0
                ? 0
                : Math.Max(0, marks.HighWatermark - (committed >= 0 ? committed : Math.Max(0, marks.LogStartOffset)));
            total += lag;
            lags.Add(new PartitionLag(partition, committed, marks.HighWatermark, lag, owners.GetValueOrDefault(partition)));
        }

        return new GroupDescription(GroupId, State, Assignor, GenerationId, members, lags, total);
    }

    private ErrorCode ValidateCommit(OffsetCommitRequest request, out string? message)
    {
        message = null;
        if (request.GenerationId < 0 && _members.Count == 0)
        {
            return ErrorCode.None;
        }

        string? instanceId = NormalizeInstanceId(request.GroupInstanceId);
        GroupMember? member = null;
        if (request.GenerationId >= 0 || request.MemberId.Length > 0 || instanceId is not null)
        {
            ErrorCode error = Identify(request.MemberId, instanceId, out member, out string identifyMessage);
            if (error != ErrorCode.None)
            {
                message = identifyMessage;
                return error;
            }

            if (request.GenerationId != GenerationId)
            {
                message = $"group '{GroupId}' is at generation {GenerationId}; a commit from generation {request.GenerationId} is stale";
                return ErrorCode.IllegalGeneration;
            }
        }
        else
        {
            message = $"group '{GroupId}' has {_members.Count} members; a commit without member id and generation is allowed only while it has none";
            return ErrorCode.UnknownMemberId;
        }

        if (State == GroupState.CompletingRebalance && member is { Synced: false })
        {
            message = $"group '{GroupId}' is completing a rebalance; member {member.MemberId} must sync generation {GenerationId} before committing";
            return ErrorCode.RebalanceInProgress;
        }

        return ErrorCode.None;
    }

    private (ErrorCode Error, string? Message) CheckEntry(OffsetCommitEntry entry)
    {
        TopicPartition partition = entry.Partition;
        if (!_partitionCounts.TryGetValue(partition.Topic, out (int Count, long FetchedAtMs) cached) || cached.Count == 0)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"topic '{partition.Topic}' does not exist");
        }

        if (partition.Partition < 0 || partition.Partition >= cached.Count)
        {
            return (ErrorCode.UnknownTopicOrPartition, $"topic '{partition.Topic}' has {cached.Count} partitions; partition {partition.Partition} does not exist");
        }

        if (entry.Metadata is { } metadata && metadata.Length > _options.MaxOffsetMetadataLength)
        {
            return (ErrorCode.OffsetMetadataTooLarge, $"{partition}: metadata is {metadata.Length} characters, more than the {_options.MaxOffsetMetadataLength} allowed");
        }

        if (entry.Offset < 0)
        {
            return (ErrorCode.OffsetOutOfRange, $"{partition}: cannot commit negative offset {entry.Offset}");
        }

        return (ErrorCode.None, null);
    }
}
