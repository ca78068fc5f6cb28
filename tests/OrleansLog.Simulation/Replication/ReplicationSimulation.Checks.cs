using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Simulation.Replication;

/// <summary>The invariants checked after every step, and the healing at the end of a run.</summary>
internal sealed partial class ReplicationSimulation
{
    /// <summary>Every record known committed (below some copy's high watermark, acknowledged, or read by a consumer), by offset.</summary>
    private readonly Dictionary<long, (uint Crc, string Source)> _committed = [];
    private readonly Dictionary<uint, long> _committedOffsetOf = [];
    private bool _faultsOff;

    private void Commit(long offset, uint crc, string source)
    {
        if (_committed.TryGetValue(offset, out var known))
        {
            if (known.Crc != crc)
            {
                throw new InvariantViolation(
                    $"offset {offset} was committed as batch crc {known.Crc:x8} ({known.Source}) and is now crc {crc:x8} ({source}): a committed record changed or replicas diverge below the HW");
            }

            return;
        }

        if (_committedOffsetOf.TryGetValue(crc, out long other))
        {
            throw new InvariantViolation($"batch crc {crc:x8} is committed at offsets {other} and {offset} ({source}): a record was duplicated");
        }

        _committed[offset] = (crc, source);
        _committedOffsetOf[crc] = offset;
    }

    private void CheckInvariants()
    {
        PartitionReplicationStateView current = CurrentRecord();
        foreach (SimulatedNode node in _nodes.Values)
        {
            if (!node.Up || node.Copy is not { } copy || copy.Log.IsFailed)
            {
                continue;
            }

            List<RecordBatchHeader> headers = [.. copy.Log.ReadBatchHeaders(copy.Log.LogStartOffset)];
            long logStart = copy.Log.LogStartOffset;
            long logEnd = copy.Log.LogEndOffset;
            long expected = headers.Count > 0 ? headers[0].BaseOffset : logStart;
            if (expected > logStart || (headers.Count > 0 && headers[0].NextOffset <= logStart))
            {
                throw new InvariantViolation($"{node.Id}: the first batch [{expected}, {headers[0].NextOffset}) does not hold the log start {logStart}");
            }

            foreach (RecordBatchHeader header in headers)
            {
                if (header.BaseOffset != expected)
                {
                    throw new InvariantViolation($"{node.Id}: offsets are not dense: expected a batch at {expected}, found one at {header.BaseOffset}");
                }

                expected = header.NextOffset;
            }

            if (expected != logEnd)
            {
                throw new InvariantViolation($"{node.Id}: the batches end at {expected}, the log end offset is {logEnd}");
            }

            long highWatermark = copy.HighWatermark;
            if (highWatermark > logEnd)
            {
                throw new InvariantViolation($"{node.Id}: high watermark {highWatermark} is above its log end {logEnd}");
            }

            foreach (RecordBatchHeader header in headers)
            {
                if (header.NextOffset <= highWatermark)
                {
                    Commit(header.BaseOffset, header.Crc, $"below {node.Id}'s HW {highWatermark} as {copy.Role}");
                }
            }

            if (current.Leader == node.Id && node.Leading && copy.LeaderEpoch == current.LeaderEpoch)
            {
                CheckLeaderHoldsEverythingCommitted(node, headers, logStart);
            }
        }
    }

    /// <summary>The leader of the recorded epoch holds every committed record (none acknowledged is lost).</summary>
    private void CheckLeaderHoldsEverythingCommitted(SimulatedNode leader, List<RecordBatchHeader> headers, long logStart)
    {
        var held = new Dictionary<long, uint>(headers.Count);
        foreach (RecordBatchHeader header in headers)
        {
            held[header.BaseOffset] = header.Crc;
        }

        foreach ((long offset, (uint crc, string source)) in _committed)
        {
            if (offset < logStart)
            {
                continue;
            }

            if (!held.TryGetValue(offset, out uint actual))
            {
                throw new InvariantViolation(
                    $"the leader {leader.Id} of epoch {leader.Copy!.LeaderEpoch} lacks committed offset {offset} (crc {crc:x8}, {source}); its log ends at {leader.Copy.Log.LogEndOffset}: acknowledged data lost");
            }

            if (actual != crc)
            {
                throw new InvariantViolation(
                    $"the leader {leader.Id} of epoch {leader.Copy!.LeaderEpoch} holds crc {actual:x8} at committed offset {offset}, expected {crc:x8} ({source})");
            }
        }
    }

    private PartitionReplicationStateView CurrentRecord()
    {
        var record = _store.Read();
        return new PartitionReplicationStateView(record.Leader, record.LeaderEpoch);
    }

    /// <summary>
    /// Ends every fault (nodes restart, the membership is right, the network and the store are reliable) and
    /// runs the cluster until a leader holds every committed record and every copy has caught up with it.
    /// </summary>
    private string? Heal()
    {
        _faultsOff = true;
        Trace("healing: faults end");
        foreach (SimulatedNode node in _nodes.Values)
        {
            node.Disk.FailFsync = false;
            node.Disk.DiskFull = false;
        }

        foreach (SimulatedMessage message in _network)
        {
            message.Lose();
        }

        _network.Clear();
        foreach (SimulatedNode node in _nodes.Values)
        {
            if (node.Up && node.StopsAtStep is not null)
            {
                Crash(node, powerCut: false);
            }

            if (!node.Up)
            {
                Start(node);
                Trace($"{node.Id} restarts: log [{node.Copy?.Log.LogStartOffset}, {node.Copy?.Log.LogEndOffset})");
            }
        }

        _declaredDead.Clear();
        for (int round = 0; round < 200; round++, _step++)
        {
            if (!_nodes.Values.Any(n => n.Leading) && ElectOnCall() is { } elected)
            {
                Trace(elected);
            }

            foreach (SimulatedNode node in _nodes.Values.Where(n => !n.Leading))
            {
                PartitionReplicationState stored = _store.Read();
                if (stored.Leader is { } leader && leader != node.Id && stored.LeaderEpoch >= 0)
                {
                    Trace($"{node.Id} supervisor: {Follow(node, stored.LeaderEpoch, leader)}");
                }
            }

            foreach (SimulatedNode node in _nodes.Values.Where(n => n.Followed is not null && n.FetchCall == 0 && !n.Truncating))
            {
                FollowedPartition followed = node.Followed!;
                Trace(followed.Truncation.MayFetch(followed.Fence.LatestEpoch) ? SendFetch(node, followed) : StartTruncation(node, followed));
            }

            for (int delivered = 0; _network.Count > 0 && delivered < 100; delivered++)
            {
                SimulatedMessage message = _network[0];
                _network.RemoveAt(0);
                if (message.Deliverable)
                {
                    message.Deliver();
                }
                else
                {
                    message.Lose();
                }

                _context.RunUntilIdle();
            }

            foreach (SimulatedNode node in UpNodes)
            {
                node.Scheduler!.RunPendingWork();
            }

            foreach (SimulatedNode node in _nodes.Values.Where(n => n.Leading))
            {
                if (node.Copy!.Log.IsFailed)
                {
                    LeaveAfterStorageFailure(node, node.Copy, "found failed by the replication timer");
                    continue;
                }

                node.Copy.Tick(IsAliveInView);
                if (node.Copy.Replication?.PendingIsrProposal is not null)
                {
                    Trace($"{node.Id} {PersistIsr(node)}");
                }
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
            Settle();
            if (Healed() is null)
            {
                Trace("healed");
                return null;
            }
        }

        return $"the partition did not recover within 200 rounds after the faults ended: {Healed()}";
    }

    /// <summary>Null when a leader holds everything and every copy matches it; else what is missing.</summary>
    private string? Healed()
    {
        PartitionReplicationState record = _store.Read();
        if (record.Leader is not { } leaderId || _nodes[leaderId] is not { Leading: true } leader)
        {
            return $"no leader serves (record: {record})";
        }

        Partition copy = leader.Copy!;
        if (copy.HighWatermark != copy.Log.LogEndOffset)
        {
            return $"leader {leaderId}'s HW {copy.HighWatermark} is below its log end {copy.Log.LogEndOffset} (ISR [{string.Join(",", copy.Replication!.Isr)}])";
        }

        foreach (SimulatedNode node in _nodes.Values.Where(n => n != leader))
        {
            if (node.Copy is null)
            {
                return $"{node.Id}'s log is offline";
            }

            if (node.Copy.Log.LogEndOffset != copy.Log.LogEndOffset)
            {
                return $"{node.Id}'s log ends at {node.Copy.Log.LogEndOffset}, the leader's at {copy.Log.LogEndOffset} (follows {node.Followed?.LeaderNode ?? "nobody"}, fence {node.Fence.LatestEpoch})";
            }
        }

        return record.Isr.Length == Replicas.Length
            ? null
            : $"the recorded ISR is [{string.Join(",", record.Isr)}] (partition epoch {record.PartitionEpoch}), not every replica; the leader's is [{string.Join(",", copy.Replication!.Isr)}] (partition epoch {copy.Replication.LeaderAndIsr.PartitionEpoch}), its record [{string.Join(",", leader.Stored?.Isr ?? [])}]";
    }

    private readonly record struct PartitionReplicationStateView(string? Leader, int LeaderEpoch);
}
