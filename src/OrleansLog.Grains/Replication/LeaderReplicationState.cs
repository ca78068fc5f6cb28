namespace OrleansLog.Grains.Replication;

/// <summary>
/// The leader's side of Kafka replication for one partition (Kafka <c>Partition</c> + <c>DelayedProduce</c>),
/// as a pure state machine: no I/O, no Orleans, time from an injected <see cref="TimeProvider"/>.
/// <para><b>What it tracks:</b> the committed <see cref="LeaderAndIsr"/>, the leader's log end offset, the
/// high watermark, each follower's fetch state, at most one ISR proposal in flight, and the acks=all
/// appends still waiting for replication.</para>
/// <para><b>Rules (Kafka's):</b></para>
/// <list type="bullet">
/// <item>HW = min log end offset over the <i>maximal</i> ISR (committed ISR ∪ a pending expansion), the
/// leader included, and never moves backwards. Counting a pending newcomer and a pending leaver keeps the HW
/// safe whichever way the proposal ends (Kafka <c>PartitionState.maximalIsr</c>, KIP-497).</item>
/// <item>acks=all with |committed ISR| &lt; min.insync.replicas is refused before the append
/// (<see cref="ErrorCode.NotEnoughReplicas"/>). An accepted one completes once HW &gt; its last offset: with
/// <see cref="ErrorCode.None"/>, or <see cref="ErrorCode.NotEnoughReplicasAfterAppend"/> if the committed
/// ISR is below its min.insync.replicas by then (Kafka <c>checkEnoughReplicasReachOffset</c>).</item>
/// <item>A follower leaves the ISR when it has not been caught up to the leader's log end for longer than
/// replica.lag.time.max (<see cref="Tick"/>); it rejoins once its log end offset is at least the HW and at
/// least the offset where this leader epoch began (Kafka <c>isFollowerInSync</c>), so it holds every
/// committed record and everything this leader wrote.</item>
/// <item>ISR changes are proposals; they take effect only through <see cref="CommitIsr"/> after the caller
/// persisted them with a compare-and-swap, because only one leader per epoch may change the ISR.</item>
/// </list>
/// <para><b>Thread-safety:</b> not thread-safe; the partition grain's turn is the lock.</para>
/// <para><b>Waiters:</b> each acks=all append gets its answer as a task (<see cref="ReplicationUpdate.Acknowledged"/>),
/// completed here and only here — when the HW passes it, or when the leader resigns.</para>
/// <para><b>Allocation:</b> fetches and appends that complete nothing allocate nothing; a completion list is
/// allocated only when some append completes, a waiter only per acks=all append.</para>
/// </summary>
public sealed class LeaderReplicationState
{
    private readonly TimeProvider _time;
    private readonly string _topicPartition;
    private readonly Dictionary<string, FollowerFetchState> _followers = new(StringComparer.Ordinal);
    private readonly Queue<PendingAppend> _pending = new();
    private readonly int _maxPendingAppends;
    private LeaderAndIsr _committed;
    private IsrProposal? _proposal;
    private long _logEndOffset;
    private long _highWatermark;
    private long _leaderDurableEnd = long.MaxValue;

    /// <summary>Becomes leader (Kafka <c>makeLeader</c>).</summary>
    /// <param name="topicPartition">For error messages, <c>{topic}-{partition}</c>.</param>
    /// <param name="leaderAndIsr">The persisted record that names this node leader.</param>
    /// <param name="logEndOffset">The leader log's end offset now; this epoch's records start here.</param>
    /// <param name="highWatermark">The HW this replica knew (from its last fetch or checkpoint); clamped to the log end.</param>
    /// <param name="replicaLagTime">replica.lag.time.max.ms (Kafka default 30 s).</param>
    /// <param name="maxPendingAppends">Bound on acks=all appends waiting at once; an append beyond it is a caller bug.</param>
    /// <param name="timeProvider">The clock for lag decisions.</param>
    public LeaderReplicationState(
        string topicPartition,
        LeaderAndIsr leaderAndIsr,
        long logEndOffset,
        long highWatermark,
        TimeSpan replicaLagTime,
        int maxPendingAppends,
        TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(leaderAndIsr);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(logEndOffset);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(replicaLagTime, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPendingAppends, 1);
        if (!Contains(leaderAndIsr.Replicas, leaderAndIsr.Leader) || !Contains(leaderAndIsr.Isr, leaderAndIsr.Leader))
        {
            throw new ArgumentException(
                $"{topicPartition}: leader {leaderAndIsr.Leader} must be in the replicas [{string.Join(",", leaderAndIsr.Replicas)}] and the ISR [{string.Join(",", leaderAndIsr.Isr)}].",
                nameof(leaderAndIsr));
        }

        foreach (string member in leaderAndIsr.Isr)
        {
            if (!Contains(leaderAndIsr.Replicas, member))
            {
                throw new ArgumentException($"{topicPartition}: ISR member {member} is not a replica [{string.Join(",", leaderAndIsr.Replicas)}].", nameof(leaderAndIsr));
            }
        }

        _topicPartition = topicPartition;
        _committed = leaderAndIsr;
        _time = timeProvider;
        ReplicaLagTime = replicaLagTime;
        _maxPendingAppends = maxPendingAppends;
        _logEndOffset = logEndOffset;
        LeaderEpochStartOffset = logEndOffset;
        _highWatermark = Math.Clamp(highWatermark, 0, logEndOffset);
        DateTimeOffset now = _time.GetUtcNow();
        foreach (string replica in leaderAndIsr.Replicas)
        {
            if (replica != leaderAndIsr.Leader)
            {
                // Kafka resets follower state on makeLeader: an ISR member is presumed caught up now and
                // gets a full lag period to prove it; its log end is unknown until it fetches.
                _followers[replica] = new FollowerFetchState(replica, -1, now, now, logEndOffset);
            }
        }
    }

    /// <summary>The committed leader, epoch, replicas and ISR.</summary>
    public LeaderAndIsr LeaderAndIsr => _committed;

    public int LeaderEpoch => _committed.LeaderEpoch;

    /// <summary>The committed ISR, the leader included.</summary>
    public IReadOnlyList<string> Isr => _committed.Isr;

    /// <summary>The ISR change waiting for <see cref="CommitIsr"/> or <see cref="AbortIsrProposal"/>, or null.</summary>
    public IsrProposal? PendingIsrProposal => _proposal;

    public long LogEndOffset => _logEndOffset;

    public long HighWatermark => _highWatermark;

    /// <summary>The first offset of this leader epoch: a follower must reach it to rejoin the ISR.</summary>
    public long LeaderEpochStartOffset { get; }

    public TimeSpan ReplicaLagTime { get; }

    /// <summary>
    /// Where the leader's own fsynced bytes end, when the HW must wait for them (flush.messages=1: nothing a
    /// consumer sees or a producer is told may be lost by the leader's machine losing power); long.MaxValue
    /// when the page cache counts, as with Kafka's defaults.
    /// </summary>
    public long LeaderDurableEnd => _leaderDurableEnd;

    /// <summary>
    /// Makes the leader count only its fsynced bytes towards the HW, from <paramref name="durableEnd"/> on
    /// (null: its whole log end counts). A topic switching to or from flush.messages=1 calls this while leading.
    /// </summary>
    public ReplicationUpdate TrackLeaderDurability(long? durableEnd)
    {
        _leaderDurableEnd = durableEnd ?? long.MaxValue;
        return Update(ErrorCode.None, null);
    }

    /// <summary>The leader's log is fsynced up to <paramref name="durableEnd"/>: the HW may follow (only while durability is tracked).</summary>
    public ReplicationUpdate OnLeaderDurable(long durableEnd)
    {
        if (_leaderDurableEnd != long.MaxValue && durableEnd > _leaderDurableEnd)
        {
            _leaderDurableEnd = durableEnd;
        }

        return Update(ErrorCode.None, null);
    }

    /// <summary>Number of acks=all appends still waiting.</summary>
    public int PendingAppendCount => _pending.Count;

    /// <summary>The leader's view of <paramref name="nodeId"/>; throws for a node that is not a follower.</summary>
    public FollowerFetchState GetFollower(string nodeId) =>
        _followers.TryGetValue(nodeId, out FollowerFetchState state)
            ? state
            : throw new ArgumentException($"{_topicPartition}: {nodeId} is not a follower of leader {_committed.Leader}.", nameof(nodeId));

    /// <summary>
    /// May a produce with <paramref name="acks"/> be appended now? <see cref="ErrorCode.NotEnoughReplicas"/>
    /// when acks=all and the committed ISR is smaller than <paramref name="minInsyncReplicas"/>; then nothing
    /// may be appended. Call before <c>PartitionLog.AppendAsync</c>.
    /// </summary>
    public ErrorCode CheckAppend(Acks acks, int minInsyncReplicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minInsyncReplicas, 1);
        return acks == Acks.All && _committed.Isr.Count < minInsyncReplicas ? ErrorCode.NotEnoughReplicas : ErrorCode.None;
    }

    /// <summary>
    /// Records a leader append ending at <paramref name="lastOffset"/>. For acks=all the append waits
    /// until replicated; its completion may already be in the result (an ISR of the leader alone).
    /// </summary>
    /// <exception cref="InvalidOperationException">Offsets did not grow, or more than the bound of appends are waiting.</exception>
    public ReplicationUpdate OnLeaderAppended(long lastOffset, Acks acks, int minInsyncReplicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minInsyncReplicas, 1);
        if (lastOffset < _logEndOffset)
        {
            throw new InvalidOperationException(
                $"{_topicPartition}: leader append ending at offset {lastOffset} does not extend the log end offset {_logEndOffset}.");
        }

        _logEndOffset = lastOffset + 1;
        if (acks == Acks.All)
        {
            if (_pending.Count >= _maxPendingAppends)
            {
                throw new InvalidOperationException(
                    $"{_topicPartition}: {_pending.Count} acks=all appends are already waiting, the bound is {_maxPendingAppends}; the caller must apply back-pressure before appending.");
            }

            var waiter = new TaskCompletionSource<ErrorCode>(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending.Enqueue(new PendingAppend(lastOffset, minInsyncReplicas, waiter));
            return Update(ErrorCode.None, null) with { Acknowledged = waiter.Task };
        }

        return Update(ErrorCode.None, null);
    }

    /// <summary>
    /// A follower fetched from <paramref name="fetchOffset"/>, which is its log end offset (Kafka
    /// <c>updateFollowerFetchState</c> + <c>maybeExpandIsr</c> + <c>maybeIncrementLeaderHW</c>).
    /// <see cref="ErrorCode.NotLeaderOrFollower"/> for a node that is no replica,
    /// <see cref="ErrorCode.OffsetOutOfRange"/> for an offset past the leader's log end.
    /// </summary>
    public ReplicationUpdate OnFollowerFetch(string nodeId, long fetchOffset)
    {
        if (!_followers.TryGetValue(nodeId, out FollowerFetchState follower))
        {
            return new ReplicationUpdate(ErrorCode.NotLeaderOrFollower, _highWatermark, [], null);
        }

        if (fetchOffset < 0 || fetchOffset > _logEndOffset)
        {
            return new ReplicationUpdate(ErrorCode.OffsetOutOfRange, _highWatermark, [], null);
        }

        DateTimeOffset now = _time.GetUtcNow();
        DateTimeOffset caughtUp = follower.LastCaughtUpTime;
        if (fetchOffset >= _logEndOffset)
        {
            caughtUp = now;
        }
        else if (fetchOffset >= follower.LastFetchLeaderLogEndOffset && follower.LastFetchTime > caughtUp)
        {
            // It now has everything the leader had at its previous fetch, so it was caught up as of then.
            caughtUp = follower.LastFetchTime;
        }

        _followers[nodeId] = new FollowerFetchState(nodeId, fetchOffset, caughtUp, now, _logEndOffset);

        IsrProposal? proposal = null;
        if (_proposal is null && !Contains(_committed.Isr, nodeId)
            && fetchOffset >= _highWatermark && fetchOffset >= LeaderEpochStartOffset)
        {
            proposal = ProposeExpansion(nodeId);
        }

        return Update(ErrorCode.None, proposal);
    }

    /// <summary>
    /// Checks follower lag (Kafka <c>maybeShrinkIsr</c>): proposes removing every ISR follower that is
    /// behind the leader's log end and was last caught up more than <see cref="ReplicaLagTime"/> ago.
    /// Proposes nothing while another proposal is in flight.
    /// </summary>
    public ReplicationUpdate Tick()
    {
        if (_proposal is not null)
        {
            return Update(ErrorCode.None, null);
        }

        DateTimeOffset now = _time.GetUtcNow();
        List<string>? remove = null;
        foreach (string member in _committed.Isr)
        {
            if (member == _committed.Leader)
            {
                continue;
            }

            FollowerFetchState follower = _followers[member];
            if (follower.LogEndOffset < _logEndOffset && now - follower.LastCaughtUpTime > ReplicaLagTime)
            {
                (remove ??= []).Add(member);
            }
        }

        IsrProposal? proposal = null;
        if (remove is not null)
        {
            var isr = new List<string>(_committed.Isr.Count);
            foreach (string member in _committed.Isr)
            {
                if (!remove.Contains(member))
                {
                    isr.Add(member);
                }
            }

            proposal = _proposal = new IsrProposal(_committed.LeaderEpoch, _committed.PartitionEpoch, Order(isr));
        }

        return Update(ErrorCode.None, proposal);
    }

    /// <summary>
    /// Proposes removing ISR followers for which <paramref name="mustLeave"/> holds, whatever their lag —
    /// their node was declared dead, or a reassignment dropped them (Kafka's controller does this on broker
    /// failure). Proposes nothing while another proposal is in flight or when nobody must leave.
    /// </summary>
    public ReplicationUpdate RemoveFromIsr(Func<string, bool> mustLeave)
    {
        ArgumentNullException.ThrowIfNull(mustLeave);
        if (_proposal is not null)
        {
            return Update(ErrorCode.None, null);
        }

        List<string>? keep = null;
        foreach (string member in _committed.Isr)
        {
            if (member == _committed.Leader || !mustLeave(member))
            {
                (keep ??= []).Add(member);
            }
        }

        IsrProposal? proposal = null;
        if (keep!.Count < _committed.Isr.Count)
        {
            proposal = _proposal = new IsrProposal(_committed.LeaderEpoch, _committed.PartitionEpoch, Order(keep));
        }

        return Update(ErrorCode.None, proposal);
    }

    /// <summary>
    /// A reassignment changed the replica set to <paramref name="replicas"/> (persisted as version
    /// <paramref name="partitionEpoch"/>, with <paramref name="isr"/>): new replicas get follower state,
    /// removed ones lose theirs. No proposal may be pending.
    /// </summary>
    public ReplicationUpdate ChangeReplicas(IReadOnlyList<string> replicas, IReadOnlyList<string> isr, long partitionEpoch)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(isr);
        if (_proposal is not null)
        {
            throw new InvalidOperationException($"{_topicPartition}: the replica set cannot change while an ISR proposal is pending.");
        }

        if (!Contains(replicas, _committed.Leader) || !Contains(isr, _committed.Leader) || partitionEpoch <= _committed.PartitionEpoch
            || isr.Any(member => !Contains(replicas, member)))
        {
            throw new ArgumentException(
                $"{_topicPartition}: new replicas [{string.Join(",", replicas)}] and ISR [{string.Join(",", isr)}] must keep leader {_committed.Leader}, the ISR must be replicas, and partition epoch {partitionEpoch} must be above {_committed.PartitionEpoch}.");
        }

        DateTimeOffset now = _time.GetUtcNow();
        foreach (string replica in replicas)
        {
            if (replica != _committed.Leader && !_followers.ContainsKey(replica))
            {
                _followers[replica] = new FollowerFetchState(replica, -1, now, now, _logEndOffset);
            }
        }

        foreach (string follower in _followers.Keys.ToArray())
        {
            if (!Contains(replicas, follower))
            {
                _followers.Remove(follower);
            }
        }

        _committed = _committed with { Replicas = [.. replicas], Isr = [.. isr], PartitionEpoch = partitionEpoch };
        return Update(ErrorCode.None, null);
    }

    /// <summary>Whether <paramref name="nodeId"/> is in the committed ISR (the leader always is).</summary>
    public bool IsInSync(string nodeId) => Contains(_committed.Isr, nodeId);

    /// <summary>
    /// The pending proposal was persisted as version <paramref name="partitionEpoch"/>: it takes effect now.
    /// A shrink may let the HW advance and completes waiting appends (possibly with
    /// <see cref="ErrorCode.NotEnoughReplicasAfterAppend"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No proposal is pending, or the version does not grow.</exception>
    public ReplicationUpdate CommitIsr(long partitionEpoch)
    {
        IsrProposal proposal = _proposal
            ?? throw new InvalidOperationException($"{_topicPartition}: CommitIsr({partitionEpoch}) without a pending ISR proposal.");
        if (partitionEpoch <= _committed.PartitionEpoch)
        {
            throw new InvalidOperationException(
                $"{_topicPartition}: committed partition epoch {partitionEpoch} must be above the current {_committed.PartitionEpoch}.");
        }

        _committed = _committed with { Isr = proposal.Isr, PartitionEpoch = partitionEpoch };
        _proposal = null;
        return Update(ErrorCode.None, null);
    }

    /// <summary>
    /// The pending proposal was not persisted (a conflicting write won, or the write failed). The committed
    /// ISR stays; the next fetch or <see cref="Tick"/> may propose again. After a conflict the caller should
    /// reload the stored record: if it names a newer leader epoch, this leader is fenced and must resign.
    /// </summary>
    public void AbortIsrProposal() => _proposal = null;

    /// <summary>
    /// Ends every waiting acks=all append with <paramref name="error"/> (leader resignation:
    /// <see cref="ErrorCode.NotLeaderOrFollower"/>; request timeout: <see cref="ErrorCode.RequestTimedOut"/>).
    /// </summary>
    public IReadOnlyList<AppendCompletion> FailPendingAppends(ErrorCode error)
    {
        if (_pending.Count == 0)
        {
            return [];
        }

        var failed = new List<AppendCompletion>(_pending.Count);
        while (_pending.TryDequeue(out PendingAppend append))
        {
            append.Waiter.TrySetResult(error);
            failed.Add(new AppendCompletion(append.LastOffset, error));
        }

        return failed;
    }

    private IsrProposal ProposeExpansion(string nodeId)
    {
        var isr = new List<string>(_committed.Isr.Count + 1);
        isr.AddRange(_committed.Isr);
        isr.Add(nodeId);
        return _proposal = new IsrProposal(_committed.LeaderEpoch, _committed.PartitionEpoch, Order(isr));
    }

    /// <summary>Leader first, then the replica order, so equal sets compare equal in stored records.</summary>
    private List<string> Order(List<string> members)
    {
        var ordered = new List<string>(members.Count) { _committed.Leader };
        foreach (string replica in _committed.Replicas)
        {
            if (replica != _committed.Leader && members.Contains(replica))
            {
                ordered.Add(replica);
            }
        }

        return ordered;
    }

    private ReplicationUpdate Update(ErrorCode error, IsrProposal? proposal)
    {
        long hw = LogEndOffsetOf(_committed.Leader);
        foreach (string member in _committed.Isr)
        {
            hw = Math.Min(hw, LogEndOffsetOf(member));
        }

        if (_proposal is not null)
        {
            foreach (string member in _proposal.Isr)
            {
                hw = Math.Min(hw, LogEndOffsetOf(member));
            }
        }

        if (hw > _highWatermark)
        {
            _highWatermark = hw;
        }

        List<AppendCompletion>? completed = null;
        while (_pending.TryPeek(out PendingAppend append) && append.LastOffset < _highWatermark)
        {
            _pending.Dequeue();
            ErrorCode result = _committed.Isr.Count < append.MinInsyncReplicas ? ErrorCode.NotEnoughReplicasAfterAppend : ErrorCode.None;
            append.Waiter.TrySetResult(result);
            (completed ??= []).Add(new AppendCompletion(append.LastOffset, result));
        }

        return new ReplicationUpdate(error, _highWatermark, completed ?? (IReadOnlyList<AppendCompletion>)[], proposal);
    }

    private long LogEndOffsetOf(string member) =>
        member == _committed.Leader ? Math.Min(_logEndOffset, _leaderDurableEnd) : Math.Max(0, _followers[member].LogEndOffset);

    /// <summary>An acks=all append waiting for the in-sync replicas; its waiter is the one place its answer is kept.</summary>
    private readonly record struct PendingAppend(long LastOffset, int MinInsyncReplicas, TaskCompletionSource<ErrorCode> Waiter);

    private static bool Contains(IReadOnlyList<string> members, string nodeId)
    {
        foreach (string member in members)
        {
            if (member == nodeId)
            {
                return true;
            }
        }

        return false;
    }
}
