using OrleansLog.Groups;

namespace OrleansLog.Client.Tests;

/// <summary>
/// A scriptable group coordinator for testing the consumer's side of the protocol. JoinGroup hands out
/// member ids "member-1", "member-2", ... and a new generation per join, choosing <see cref="Assignor"/>;
/// SyncGroup returns <see cref="NextAssignment"/>; heartbeats answer the scripted codes in
/// <see cref="HeartbeatAnswers"/>, then None. Commits are stored and answered by OffsetFetch. Every call is
/// written to <see cref="Log"/> at entry, before it can be answered.
/// </summary>
internal sealed class FakeGroupCoordinatorGrain(string groupId) : IGroupCoordinatorGrain
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, long> _committed = [];
    private readonly List<JoinGroupRequest> _joins = [];
    private readonly List<OffsetCommitRequest> _commits = [];
    private int _generation;
    private int _members;

    public string GroupId { get; } = groupId;

    public CallLog Log { get; } = new();

    /// <summary>The assignor JoinGroup reports; default cooperative-sticky.</summary>
    public string Assignor { get; set; } = PartitionAssignors.CooperativeSticky;

    /// <summary>What SyncGroup returns to every member.</summary>
    public IReadOnlyList<TopicPartition> NextAssignment { get; set; } = [];

    /// <summary>Answers for the next heartbeats, in order; None once empty.</summary>
    public Queue<ErrorCode> HeartbeatAnswers { get; } = new();

    /// <summary>When set, JoinGroup waits for it before answering (a long poll held open by a rebalance).</summary>
    public TaskCompletionSource? JoinGate { get; set; }

    /// <summary>When not None, the next commit fails with it and is not stored.</summary>
    public ErrorCode NextCommitError { get; set; }

    /// <summary>The answer of describe; null means GroupIdNotFound.</summary>
    public GroupDescription? Description { get; set; }

    /// <summary>Answer of reset-offsets and delete.</summary>
    public AdminResult NextAdminResult { get; set; } = AdminResult.Ok;

    public IReadOnlyList<JoinGroupRequest> Joins
    {
        get
        {
            lock (_gate)
            {
                return [.. _joins];
            }
        }
    }

    public IReadOnlyList<OffsetCommitRequest> Commits
    {
        get
        {
            lock (_gate)
            {
                return [.. _commits];
            }
        }
    }

    public void SetCommitted(TopicPartition partition, long offset)
    {
        lock (_gate)
        {
            _committed[partition] = offset;
        }
    }

    public async Task<JoinGroupResult> JoinGroupAsync(JoinGroupRequest request, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource? gate;
        lock (_gate)
        {
            _joins.Add(request);
            gate = JoinGate;
        }

        Log.Add($"join {request.MemberId} owned [{Join(request.OwnedPartitions)}]");
        if (gate is not null)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        lock (_gate)
        {
            string memberId = request.MemberId.Length > 0 ? request.MemberId : $"member-{++_members}";
            return new JoinGroupResult(ErrorCode.None, null, memberId, ++_generation, Assignor, memberId);
        }
    }

    public Task<SyncGroupResult> SyncGroupAsync(string memberId, string? groupInstanceId, int generationId, CancellationToken cancellationToken = default)
    {
        Log.Add($"sync {memberId} {generationId}");
        lock (_gate)
        {
            return Task.FromResult(new SyncGroupResult(ErrorCode.None, null, generationId, NextAssignment));
        }
    }

    public Task<ErrorCode> HeartbeatAsync(string memberId, string? groupInstanceId, int generationId, CancellationToken cancellationToken = default)
    {
        ErrorCode answer;
        lock (_gate)
        {
            answer = HeartbeatAnswers.TryDequeue(out ErrorCode scripted) ? scripted : ErrorCode.None;
        }

        Log.Add("heartbeat");
        return Task.FromResult(answer);
    }

    public Task<ErrorCode> LeaveGroupAsync(string memberId, string? groupInstanceId, CancellationToken cancellationToken = default)
    {
        Log.Add($"leave {memberId}");
        return Task.FromResult(ErrorCode.None);
    }

    public Task<OffsetCommitResult> CommitOffsetsAsync(OffsetCommitRequest request, CancellationToken cancellationToken = default)
    {
        ErrorCode error;
        lock (_gate)
        {
            error = NextCommitError;
            NextCommitError = ErrorCode.None;
            if (error == ErrorCode.None)
            {
                _commits.Add(request);
                foreach (OffsetCommitEntry entry in request.Offsets)
                {
                    _committed[entry.Partition] = entry.Offset;
                }
            }
        }

        Log.Add($"commit {string.Join(",", request.Offsets.OrderBy(static o => o.Partition.Topic, StringComparer.Ordinal).ThenBy(static o => o.Partition.Partition).Select(static o => $"{o.Partition}@{o.Offset}"))} gen {request.GenerationId}");
        return Task.FromResult(error == ErrorCode.None
            ? new OffsetCommitResult(ErrorCode.None, null, [])
            : new OffsetCommitResult(error, $"scripted {error}", []));
    }

    public Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken = default)
    {
        Log.Add("fetch-offsets");
        lock (_gate)
        {
            IEnumerable<TopicPartition> wanted = partitions ?? (IEnumerable<TopicPartition>)_committed.Keys;
            return Task.FromResult<IReadOnlyList<CommittedOffset>>(
                [.. wanted.Select(p => new CommittedOffset(p, _committed.GetValueOrDefault(p, -1), null, 0))]);
        }
    }

    public Task<(ErrorCode Error, GroupDescription? Group)> DescribeAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Description is null ? (ErrorCode.GroupIdNotFound, (GroupDescription?)null) : (ErrorCode.None, Description));

    public Task<AdminResult> ResetOffsetsAsync(string topic, OffsetResetSpec spec, CancellationToken cancellationToken = default)
    {
        Log.Add($"reset-offsets {topic} {spec.Kind} {spec.Value}");
        return Task.FromResult(NextAdminResult);
    }

    public Task<AdminResult> DeleteAsync(CancellationToken cancellationToken = default)
    {
        Log.Add("delete");
        return Task.FromResult(NextAdminResult);
    }

    public Task ForgetTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (TopicPartition partition in _committed.Keys.Where(p => p.Topic == topic).ToList())
            {
                _committed.Remove(partition);
            }
        }

        Log.Add($"forget-topic {topic}");
        return Task.CompletedTask;
    }

    private static string Join(IEnumerable<TopicPartition> partitions) =>
        string.Join(",", partitions.OrderBy(static p => p.Topic, StringComparer.Ordinal).ThenBy(static p => p.Partition));
}
