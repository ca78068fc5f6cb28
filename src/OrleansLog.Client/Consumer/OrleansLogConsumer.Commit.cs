using OrleansLog.Groups;

namespace OrleansLog.Client;

/// <summary>
/// Committed offsets: explicit and automatic commits, and starting positions from the group's commits.
/// </summary>
/// <remarks>
/// <para>At least once. The offset committed for a partition is its position: the offset after the last
/// record handed to the application. Auto-commit commits only while the application is inside a consume
/// call (when the interval elapses during one, or at the start of the next), because by calling consume
/// again the application says it has processed what it got before — Kafka's Java client auto-commits
/// inside poll() for the same reason. A timer that committed while the application still processes a
/// record would skip that record if the process crashed.</para>
/// <para>Commits are serialised by one semaphore and each takes its snapshot of positions after acquiring
/// it, so a commit never overwrites a newer one sent by this consumer.</para>
/// </remarks>
public sealed partial class OrleansLogConsumer
{
    private readonly SemaphoreSlim _commitLock = new(1, 1);
    private readonly ITimer? _autoCommitTimer;
    private bool _autoCommitDue;

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        IGroupCoordinatorGrain coordinator = RequireGroup(nameof(CommitAsync));
        await _commitLock.WaitAsync(cancellationToken);
        try
        {
            OffsetCommitRequest? request;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_membership is not null && _appliedGenerationId < 0)
                {
                    throw new OrleansLogException(
                        ErrorCode.RebalanceInProgress,
                        $"Cannot commit to group '{_options.GroupId}': this consumer holds no assignment yet (it is joining or rejoining the group).");
                }

                request = BuildCommitLocked(null, commitIdentity: null, onlyChanged: false);
            }

            if (request is not null)
            {
                ThrowIfFailed(request, await coordinator.CommitOffsetsAsync(request, cancellationToken));
            }
        }
        finally
        {
            _commitLock.Release();
        }
    }

    public async Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(offsets);
        IGroupCoordinatorGrain coordinator = RequireGroup(nameof(CommitAsync));
        var entries = new List<OffsetCommitEntry>();
        foreach (TopicPartitionOffset offset in offsets)
        {
            if (offset.Offset < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(offsets), offset.Offset, $"The offset to commit for {offset.TopicPartition} must be 0 or more: the next offset to consume.");
            }

            entries.Add(new OffsetCommitEntry(offset.TopicPartition, offset.Offset, null));
        }

        if (entries.Count == 0)
        {
            return;
        }

        await _commitLock.WaitAsync(cancellationToken);
        try
        {
            OffsetCommitRequest request;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                (string memberId, int generationId) = CommitIdentityLocked();
                request = new OffsetCommitRequest(memberId, _options.GroupInstanceId, generationId, entries);
            }

            ThrowIfFailed(request, await coordinator.CommitOffsetsAsync(request, cancellationToken));
        }
        finally
        {
            _commitLock.Release();
        }
    }

    public async Task<IReadOnlyList<TopicPartitionOffset>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        IGroupCoordinatorGrain coordinator = RequireGroup(nameof(CommittedAsync));
        List<TopicPartition> wanted = [.. partitions];
        IReadOnlyList<CommittedOffset> committed = await coordinator.FetchOffsetsAsync(wanted, cancellationToken);
        var byPartition = new Dictionary<TopicPartition, long>();
        foreach (CommittedOffset offset in committed)
        {
            byPartition[offset.Partition] = offset.Offset;
        }

        return [.. wanted.Select(p => new TopicPartitionOffset(p, byPartition.GetValueOrDefault(p, -1)))];
    }

    private IGroupCoordinatorGrain RequireGroup(string operation) =>
        _coordinator ?? throw new InvalidOperationException($"{operation} needs {nameof(ConsumerOptions)}.{nameof(ConsumerOptions.GroupId)}: offsets are committed to a group.");

    /// <summary>The auto-commit interval elapsed: commit now if the application is inside a consume call, else at the start of its next one.</summary>
    private void OnAutoCommitTimer()
    {
        lock (_gate)
        {
            if (_disposed || _closing)
            {
                return;
            }

            if (!_inPoll)
            {
                _autoCommitDue = true;
                return;
            }
        }

        StartAutoCommit();
    }

    private void StartAutoCommit() => _ = CommitQuietlyAsync(null, commitIdentity: null, "auto", CancellationToken.None, requireInPoll: true);

    /// <summary>
    /// Commits the positions of <paramref name="partitions"/> (all assigned when null) that changed since
    /// their last commit, logging failures instead of throwing: for auto-commit, commit-on-revoke and close,
    /// where a failed commit means only that records will be delivered again.
    /// </summary>
    /// <param name="requireInPoll">Auto-commit: commit only while the application is inside a consume call
    /// and no rebalance waits to be applied; otherwise try again at the next consume call.</param>
    private async Task CommitQuietlyAsync(
        IReadOnlyList<TopicPartition>? partitions,
        (string MemberId, int GenerationId)? commitIdentity,
        string reason,
        CancellationToken cancellationToken,
        bool requireInPoll = false)
    {
        try
        {
            await _commitLock.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return;
        }

        try
        {
            bool rebalancePending = requireInPoll && Membership is { HasPendingEvents: true };
            OffsetCommitRequest? request;
            lock (_gate)
            {
                if (requireInPoll && (!_inPoll || rebalancePending))
                {
                    _autoCommitDue = !_disposed;
                    return;
                }

                request = _disposed ? null : BuildCommitLocked(partitions, commitIdentity, onlyChanged: true);
            }

            if (request is null)
            {
                return;
            }

            OffsetCommitResult result = await _coordinator!.CommitOffsetsAsync(request, cancellationToken);
            if (ApplyCommitResult(request, result) is { } failure)
            {
                LogCommitFailed(_logger, null, _options.GroupId!, reason, failure);
            }
            else
            {
                LogCommitted(_logger, _options.GroupId!, reason, request.Offsets.Count, request.GenerationId);
            }
        }
        catch (Exception ex)
        {
            LogCommitFailed(_logger, ex, _options.GroupId!, reason, ex.Message);
        }
        finally
        {
            _commitLock.Release();
        }
    }

    /// <summary>
    /// The commit of the positions of <paramref name="partitions"/> (all assigned when null), or null when
    /// there is nothing to commit or this consumer is subscribed but holds no generation.
    /// </summary>
    private OffsetCommitRequest? BuildCommitLocked(IReadOnlyList<TopicPartition>? partitions, (string MemberId, int GenerationId)? commitIdentity, bool onlyChanged)
    {
        (string memberId, int generationId) = commitIdentity ?? CommitIdentityLocked();
        if (_membership is not null && generationId < 0)
        {
            return null;
        }

        var entries = new List<OffsetCommitEntry>();
        if (partitions is null)
        {
            foreach (AssignedPartition partition in _order)
            {
                AddEntry(partition);
            }
        }
        else
        {
            foreach (TopicPartition topicPartition in partitions)
            {
                if (_assigned.TryGetValue(topicPartition, out AssignedPartition? partition))
                {
                    AddEntry(partition);
                }
            }
        }

        return entries.Count == 0 ? null : new OffsetCommitRequest(memberId, _options.GroupInstanceId, generationId, entries);

        void AddEntry(AssignedPartition partition)
        {
            if (partition.Position >= 0 && (!onlyChanged || partition.Position != partition.CommittedOffset))
            {
                entries.Add(new OffsetCommitEntry(partition.TopicPartition, partition.Position, null));
            }
        }
    }

    /// <summary>
    /// The member id and generation a commit carries: those the assignment was received under, or an empty
    /// member id and generation -1 outside a group subscription (Kafka's rule for standalone consumers).
    /// </summary>
    private (string MemberId, int GenerationId) CommitIdentityLocked() =>
        _membership is null ? (string.Empty, -1) : (_appliedMemberId, _appliedGenerationId);

    private void ThrowIfFailed(OffsetCommitRequest request, OffsetCommitResult result)
    {
        if (ApplyCommitResult(request, result) is { } failure)
        {
            ErrorCode error = result.Error != ErrorCode.None ? result.Error : result.Partitions.First(p => p.Error != ErrorCode.None).Error;
            throw new OrleansLogException(error, failure);
        }
    }

    /// <summary>Records the offsets that were committed; returns a message naming what failed, or null.</summary>
    private string? ApplyCommitResult(OffsetCommitRequest request, OffsetCommitResult result)
    {
        string group = _options.GroupId!;
        if (result.Error != ErrorCode.None)
        {
            return $"Committing {request.Offsets.Count} offsets to group '{group}' (member '{request.MemberId}', generation {request.GenerationId}) failed with {result.Error}: {result.Message ?? "no message"}.";
        }

        var failed = new List<string>();
        lock (_gate)
        {
            foreach (OffsetCommitEntry entry in request.Offsets)
            {
                PartitionError? partitionError = result.Partitions.FirstOrDefault(p => p.Partition == entry.Partition && p.Error != ErrorCode.None);
                if (partitionError is not null)
                {
                    failed.Add($"{entry.Partition}@{entry.Offset}: {partitionError.Error} {partitionError.Message}".TrimEnd());
                }
                else if (_assigned.TryGetValue(entry.Partition, out AssignedPartition? partition))
                {
                    partition.CommittedOffset = entry.Offset;
                }
            }
        }

        return failed.Count == 0 ? null : $"Committing offsets to group '{group}' failed for {string.Join("; ", failed)}.";
    }

    /// <summary>Starts assigned partitions at the group's committed offsets, else where auto.offset.reset says.</summary>
    private async Task LookUpCommittedAsync(List<(AssignedPartition Partition, int Epoch)> lookups)
    {
        IReadOnlyList<CommittedOffset>? committed = null;
        Exception? error = null;
        try
        {
            committed = await _coordinator!.FetchOffsetsAsync([.. lookups.Select(static l => l.Partition.TopicPartition)], CancellationToken.None);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        var offsets = new Dictionary<TopicPartition, long>();
        foreach (CommittedOffset offset in committed ?? [])
        {
            offsets[offset.Partition] = offset.Offset;
        }

        TaskCompletionSource? waiter;
        lock (_gate)
        {
            foreach ((AssignedPartition partition, int epoch) in lookups)
            {
                partition.CommittedLookupInFlight = false;
                if (_disposed || partition.Epoch != epoch || !partition.AwaitingCommitted)
                {
                    continue;
                }

                if (error is not null)
                {
                    FailLocked(partition, error);
                    continue;
                }

                partition.AwaitingCommitted = false;
                TopicPartition topicPartition = partition.TopicPartition;
                if (offsets.TryGetValue(topicPartition, out long offset) && offset >= 0)
                {
                    partition.Position = offset;
                    partition.FetchOffset = offset;
                    partition.CommittedOffset = offset;
                    LogStartingAtCommitted(_logger, topicPartition.Topic, topicPartition.Partition, _options.GroupId!, offset);
                }
                else
                {
                    ResetLocked(partition, $"group '{_options.GroupId}' has no committed offset for {topicPartition}");
                }
            }

            waiter = TakeWaiterLocked();
        }

        waiter?.TrySetResult();
        Pump();
    }
}
