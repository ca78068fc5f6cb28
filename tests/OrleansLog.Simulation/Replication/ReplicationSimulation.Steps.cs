namespace OrleansLog.Simulation.Replication;

/// <summary>The steps a run picks from, at random with these weights, and the faults among them.</summary>
internal sealed partial class ReplicationSimulation
{
    private (int Weight, Func<string?> Step)[]? _steps;

    private (int Weight, Func<string?> Step)[] Steps => _steps ??=
    [
        (20, Produce),
        (16, Fetch),
        (26, DeliverOne),
        (3, DropOne),
        (2, DuplicateOne),
        (5, TickLeader),
        (6, AdvanceClock),
        (6, Supervise),
        (3, ElectOnCall),
        (4, RunCommitWork),
        (2, WriteBack),
        (4, Consume),
        (1, CrashOne),
        (3, RestartOne),
        (1, DeclareDead),
        (1, DetectDeath),
        (1, DiskFault),
        (2, DiskRepair),
    ];

    private void TakeOneStep()
    {
        foreach (SimulatedNode node in _nodes.Values)
        {
            if (node.Up && node.StopsAtStep <= _step)
            {
                // Declared dead by the membership, the silo learns it and stops itself.
                Trace($"{node.Id} learns it was declared dead and stops");
                Crash(node, powerCut: false);
            }
        }

        int total = Steps.Sum(s => s.Weight);
        for (int attempt = 0; attempt < 20; attempt++)
        {
            int pick = _random.Next(total);
            foreach ((int weight, Func<string?> step) in Steps)
            {
                if (pick < weight)
                {
                    if (step() is { } done)
                    {
                        Trace(done);
                        return;
                    }

                    break;
                }

                pick -= weight;
            }
        }

        Trace("nothing to do");
    }

    private string? DeliverOne()
    {
        if (_network.Count == 0)
        {
            return null;
        }

        int index = _random.Next(_network.Count);
        SimulatedMessage message = _network[index];
        _network.RemoveAt(index);
        if (!message.Deliverable)
        {
            message.Lose();
            return $"{message} lost: {message.To.Id} is not the process it was sent to";
        }

        message.Deliver();
        return $"{message} delivered";
    }

    private string? DropOne()
    {
        if (_network.Count == 0)
        {
            return null;
        }

        int index = _random.Next(_network.Count);
        SimulatedMessage message = _network[index];
        _network.RemoveAt(index);
        message.Lose();
        return $"{message} dropped";
    }

    private string? DuplicateOne()
    {
        SimulatedMessage[] requests = [.. _network.Where(m => m.MayDuplicate)];
        if (requests.Length == 0)
        {
            return null;
        }

        SimulatedMessage message = Pick(requests);
        _network.Add(message);
        return $"{message} duplicated";
    }

    private string? AdvanceClock()
    {
        TimeSpan by = _random.Next(4) == 0 ? TimeSpan.FromMilliseconds(_random.Next(2_000, 12_000)) : TimeSpan.FromMilliseconds(_random.Next(1, 500));
        _time.Advance(by);
        return $"clock +{by.TotalMilliseconds:F0} ms";
    }

    /// <summary>The node's commit scheduler runs its queued fsyncs (group commit, segment-roll flushes).</summary>
    private string? RunCommitWork()
    {
        SimulatedNode[] pending = [.. UpNodes.Where(n => n.Scheduler!.HasPendingWork)];
        if (pending.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(pending);
        int served = node.Scheduler!.RunPendingWork();
        return $"{node.Id} commit scheduler fsyncs {served} log(s)";
    }

    /// <summary>The OS writes dirty pages back on its own.</summary>
    private string? WriteBack()
    {
        SimulatedNode node = Pick(UpNodes.Length > 0 ? UpNodes : [.. _nodes.Values]);
        node.Disk.WriteBack();
        return $"{node.Id} OS writes back its page cache";
    }

    private string? CrashOne()
    {
        SimulatedNode[] up = UpNodes;
        if (up.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(up);
        // Without flush.messages=1, durability is replication's: losing unsynced bytes on a node is losing
        // that copy, which an ISR member must not do (Kafka's model too). With it, power cuts are fair game.
        bool powerCut = _flushEveryMessage && _random.Next(2) == 0;
        Crash(node, powerCut);
        return $"{node.Id} {(powerCut ? "loses power" : "is killed (-9)")}";
    }

    private string? RestartOne()
    {
        SimulatedNode[] down = [.. _nodes.Values.Where(n => !n.Up)];
        if (down.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(down);
        Start(node);
        return node.Copy is { } copy
            ? $"{node.Id} restarts: log [{copy.Log.LogStartOffset}, {copy.Log.LogEndOffset}), HW {copy.HighWatermark}"
            : $"{node.Id} restarts with its log offline";
    }

    /// <summary>The membership declares a node dead: rightly (it crashed) or wrongly (it still runs, for a while).</summary>
    private string? DeclareDead()
    {
        SimulatedNode[] candidates = [.. _nodes.Values.Where(n => IsAliveInView(n.Id))];
        if (candidates.Length <= 1)
        {
            return null;
        }

        SimulatedNode node = Pick(candidates);
        _declaredDead.Add(node.Id);
        if (node.Up)
        {
            node.StopsAtStep = _step + 1 + _random.Next(30);
            return $"{node.Id} wrongly declared dead; it stops at step {node.StopsAtStep}";
        }

        return $"{node.Id} declared dead";
    }

    private string? DetectDeath()
    {
        SimulatedNode[] gone = [.. _nodes.Values.Where(n => !n.Up && IsAliveInView(n.Id))];
        if (gone.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(gone);
        _declaredDead.Add(node.Id);
        return $"membership finds {node.Id} dead";
    }

    /// <summary>A node's disk starts failing: every fsync fails (EIO), or every write (ENOSPC).</summary>
    private string? DiskFault()
    {
        SimulatedNode[] healthy = [.. _nodes.Values.Where(n => !n.Disk.FailFsync && !n.Disk.DiskFull)];
        if (healthy.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(healthy);
        bool full = _random.Next(2) == 0;
        node.Disk.DiskFull = full;
        node.Disk.FailFsync = !full;
        return $"{node.Id}'s disk {(full ? "is full" : "fails every fsync")}";
    }

    private string? DiskRepair()
    {
        SimulatedNode[] failing = [.. _nodes.Values.Where(n => n.Disk.FailFsync || n.Disk.DiskFull)];
        if (failing.Length == 0)
        {
            return null;
        }

        SimulatedNode node = Pick(failing);
        node.Disk.FailFsync = false;
        node.Disk.DiskFull = false;
        return $"{node.Id}'s disk works again";
    }
}
