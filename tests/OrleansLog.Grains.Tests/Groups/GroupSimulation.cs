using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Grains.Groups;
using OrleansLog.Groups;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// A seeded, replayable simulation of one group under churn: consumers that join, leave, crash, pause
/// (and come back as zombies), restart with a static instance id, consume and commit, while topics grow,
/// with time on a <see cref="FakeTimeProvider"/>. The consumers follow Kafka's client protocol: eager ones
/// give up (and commit) everything before rejoining; cooperative ones keep consuming, report what they own
/// and revoke what the new assignment no longer has, sometimes a step late. After every step
/// <see cref="CheckInvariants"/> holds or the run fails with the seed, the step and the recent history.
/// </summary>
internal sealed class GroupSimulation
{
    private const int HeartbeatMs = 1_000;
    private const int SessionMs = 3_000;
    private const int RebalanceMs = 5_000;
    private const int MaxPartitions = 12;

    private readonly Random _random;
    private readonly string _assignor;
    private readonly bool _cooperative;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly GroupStateMachine _machine;
    private readonly List<Client> _clients = [];
    private readonly Dictionary<long, Client> _joins = [];
    private readonly Dictionary<string, int> _partitions = new(StringComparer.Ordinal) { ["t"] = 3, ["u"] = 2 };
    private readonly Dictionary<TopicPartition, long> _lastCommitted = [];
    private readonly Queue<string> _history = new();
    private int _memberSequence;
    private int _clientSequence;
    private int _lastGeneration;

    public GroupSimulation(int seed, string assignor)
    {
        Seed = seed;
        _random = new Random(seed);
        _assignor = assignor;
        _cooperative = assignor == CooperativeStickyAssignor.AssignorName;
        var options = new GroupCoordinatorOptions
        {
            InitialRebalanceDelay = TimeSpan.FromMilliseconds(500),
            MinSessionTimeout = TimeSpan.FromMilliseconds(500),
        };
        _machine = new GroupStateMachine("sim", options, BuiltInAssignors.All, _time, clientId => string.Create(CultureInfo.InvariantCulture, $"{clientId}-m{++_memberSequence}"));
        _machine.UpdatePartitionCounts(_partitions);
    }

    public int Seed { get; }

    public int Rebalances { get; private set; }

    public int Commits { get; private set; }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Run(int steps)
    {
        for (int step = 0; step < steps; step++)
        {
            int roll = _random.Next(100);
            switch (roll)
            {
                case < 10 when _clients.Count(c => c.Alive) < 8:
                    StartClient(instanceId: _random.Next(3) == 0 ? "i" + _clientSequence : null);
                    break;
                case < 15:
                    WithRandomMember(LeaveCleanly);
                    break;
                case < 19:
                    WithRandomMember(Crash);
                    break;
                case < 22:
                    WithRandomMember(Pause);
                    break;
                case < 25:
                    WithRandomMember(RestartStatic);
                    break;
                case < 37:
                    WithRandomMember(c => CommitPositions(c, "periodic commit"));
                    break;
                case < 40:
                    GrowTopic();
                    break;
                default:
                    PassTime(_random.Next(100, 500));
                    break;
            }

            try
            {
                CheckInvariants();
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException(
                    $"Group simulation failed: seed {Seed}, assignor {_assignor}, step {step} (replay with OLOG_GROUP_SIM_SEED={Seed}). " +
                    $"Recent history:{Environment.NewLine}{string.Join(Environment.NewLine, _history)}",
                    ex);
            }
        }
    }

    /// <summary>
    /// The properties every step must keep: one owner per partition in the current generation, every
    /// partition owned while the group is Stable with members, no two live consumers processing the same
    /// partition, committed offsets that never go backwards, generations that only grow.
    /// </summary>
    private void CheckInvariants()
    {
        var owner = new Dictionary<TopicPartition, string>();
        foreach (GroupMember member in _machine.Members)
        {
            foreach (TopicPartition partition in member.Assignment)
            {
                if (!owner.TryAdd(partition, member.MemberId))
                {
                    throw new InvalidOperationException($"{partition} is assigned to both {owner[partition]} and {member.MemberId} in generation {_machine.GenerationId}");
                }
            }
        }

        if (_machine.State == GroupState.Stable && _machine.MemberCount > 0)
        {
            foreach (string topic in _machine.SubscribedTopics())
            {
                for (int p = 0; p < _partitions[topic]; p++)
                {
                    if (!owner.ContainsKey(new TopicPartition(topic, p)))
                    {
                        throw new InvalidOperationException($"group is Stable at generation {_machine.GenerationId} but {topic}-{p} has no owner");
                    }
                }
            }
        }

        var consumer = new Dictionary<TopicPartition, string>();
        foreach (Client client in _clients.Where(c => c.Alive && !c.Paused))
        {
            foreach (TopicPartition partition in client.Positions.Keys)
            {
                if (!consumer.TryAdd(partition, client.Name))
                {
                    throw new InvalidOperationException($"{partition} is consumed by both {consumer[partition]} and {client.Name}");
                }
            }
        }

        foreach (CommittedOffset committed in _machine.FetchOffsets(null))
        {
            long last = _lastCommitted.GetValueOrDefault(committed.Partition, -1);
            if (committed.Offset < last)
            {
                throw new InvalidOperationException($"committed offset of {committed.Partition} went back from {last} to {committed.Offset}");
            }

            _lastCommitted[committed.Partition] = committed.Offset;
        }

        if (_machine.GenerationId < _lastGeneration)
        {
            throw new InvalidOperationException($"generation went back from {_lastGeneration} to {_machine.GenerationId}");
        }

        _lastGeneration = _machine.GenerationId;
    }

    private void StartClient(string? instanceId)
    {
        var client = new Client("c" + _clientSequence++, instanceId, _random.Next(2) == 0 ? ["t"] : ["t", "u"]);
        _clients.Add(client);
        Log($"{client.Name} starts{(instanceId is null ? string.Empty : " as static " + instanceId)} subscribing [{string.Join(",", client.Topics)}]");
        SendJoin(client);
    }

    private void WithRandomMember(Action<Client> action)
    {
        Client[] candidates = [.. _clients.Where(c => c.Alive && !c.Paused)];
        if (candidates.Length > 0)
        {
            action(candidates[_random.Next(candidates.Length)]);
        }
    }

    private void LeaveCleanly(Client client)
    {
        Log($"{client.Name} closes");
        if (client.MemberId.Length > 0)
        {
            CommitPositions(client, "commit on close");
            if (client.Alive && client.InstanceId is null)
            {
                Apply(_machine.Leave(client.MemberId, null));
            }
        }

        client.Die();
    }

    private void Crash(Client client)
    {
        Log($"{client.Name} crashes");
        client.Die();
    }

    private void Pause(Client client)
    {
        client.PausedUntilMs = NowMs + _random.Next(500, 6_000);
        Log($"{client.Name} pauses until {client.PausedUntilMs}");
    }

    private void RestartStatic(Client client)
    {
        if (client.InstanceId is null)
        {
            return;
        }

        Log($"{client.Name} (static {client.InstanceId}) restarts");
        client.Die();
        var restarted = new Client("c" + _clientSequence++, client.InstanceId, client.Topics);
        _clients.Add(restarted);
        SendJoin(restarted);
    }

    private void GrowTopic()
    {
        string topic = _random.Next(2) == 0 ? "t" : "u";
        if (_partitions[topic] >= MaxPartitions)
        {
            return;
        }

        _partitions[topic]++;
        Log($"topic {topic} grows to {_partitions[topic]} partitions");
        _machine.UpdatePartitionCounts(_partitions);
        Apply();
    }

    private void PassTime(int ms)
    {
        for (int elapsed = 0; elapsed < ms; elapsed += 100)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            foreach (Client client in _clients.Where(c => c.Alive).ToList())
            {
                if (client.Paused && NowMs >= client.PausedUntilMs)
                {
                    Log($"{client.Name} resumes");
                    client.PausedUntilMs = 0;

                    // A zombie's first act: commit what it processed before the pause. Fencing decides.
                    CommitPositions(client, "commit after pause");
                }

                if (!client.Alive || client.Paused)
                {
                    continue;
                }

                foreach (TopicPartition partition in client.Positions.Keys.ToList())
                {
                    client.Positions[partition] += _random.Next(0, 4);
                }

                if (client.PendingRevocation.Count > 0)
                {
                    Revoke(client, client.PendingRevocation.ToList(), "late revocation");
                }

                if (client.MemberId.Length > 0 && client.JoinId is null && NowMs >= client.NextHeartbeatMs)
                {
                    client.NextHeartbeatMs = NowMs + HeartbeatMs;
                    ErrorCode error = _machine.Heartbeat(client.MemberId, client.InstanceId, client.Generation);
                    Apply();
                    OnMembershipError(client, error, "heartbeat");
                }
            }

            _machine.Tick();
            Apply();
        }
    }

    private void SendJoin(Client client)
    {
        IReadOnlyList<TopicPartition> owned = _cooperative ? [.. client.Positions.Keys] : [];
        JoinOutcome outcome = _machine.Join(new JoinGroupRequest(client.MemberId, client.InstanceId, client.Name, SessionMs, RebalanceMs, client.Topics, [_assignor], owned));
        if (!outcome.IsPending)
        {
            Log($"{client.Name} join rejected: {outcome.Rejection!.Error}");
            OnMembershipError(client, outcome.Rejection!.Error, "join");
            Apply();
            return;
        }

        client.JoinId = outcome.JoinId;
        _joins[outcome.JoinId] = client;
        Apply();
    }

    /// <summary>Acts on the machine's effects until none are left: answered joins lead to syncs, which may start follow-ups.</summary>
    private void Apply(ErrorCode ignored = ErrorCode.None)
    {
        _ = ignored;
        while (true)
        {
            GroupEffects effects = _machine.TakeEffects();
            if (effects.IsEmpty)
            {
                return;
            }

            Rebalances += effects.RebalancesStarted.Count;
            foreach (JoinCompletion completion in effects.CompletedJoins)
            {
                if (_joins.Remove(completion.JoinId, out Client? client) && client.Alive)
                {
                    client.JoinId = null;
                    OnJoined(client, completion.Result);
                }
            }
        }
    }

    private void OnJoined(Client client, JoinGroupResult result)
    {
        if (result.Error != ErrorCode.None)
        {
            Log($"{client.Name} join answered {result.Error}");
            OnMembershipError(client, result.Error, "join");
            return;
        }

        client.MemberId = result.MemberId;
        client.Generation = result.GenerationId;
        client.NextHeartbeatMs = NowMs + HeartbeatMs;
        SyncGroupResult sync = _machine.Sync(client.MemberId, client.InstanceId, client.Generation);
        if (sync.Error != ErrorCode.None)
        {
            Log($"{client.Name} sync of generation {client.Generation} answered {sync.Error}");
            OnMembershipError(client, sync.Error, "sync");
            return;
        }

        var assigned = sync.Assignment.ToHashSet();
        List<TopicPartition> lost = [.. client.Positions.Keys.Where(p => !assigned.Contains(p))];
        if (_cooperative && lost.Count > 0 && _random.Next(2) == 0)
        {
            client.PendingRevocation.UnionWith(lost);
        }
        else if (lost.Count > 0)
        {
            Revoke(client, lost, "revoked by the new assignment");
        }

        foreach (TopicPartition partition in assigned)
        {
            if (!client.Positions.ContainsKey(partition))
            {
                long committed = _machine.FetchOffsets([partition])[0].Offset;
                client.Positions[partition] = Math.Max(0, committed);
            }
        }

        Log($"{client.Name} = {client.MemberId} in generation {client.Generation} owns {string.Join(",", sync.Assignment)}");
    }

    private void OnMembershipError(Client client, ErrorCode error, string call)
    {
        switch (error)
        {
            case ErrorCode.None:
                return;
            case ErrorCode.RebalanceInProgress:
                if (!_cooperative)
                {
                    Revoke(client, [.. client.Positions.Keys], "eager rejoin");
                }

                if (client.JoinId is null)
                {
                    SendJoin(client);
                }

                return;
            case ErrorCode.UnknownMemberId:
            case ErrorCode.IllegalGeneration:
                Log($"{client.Name} lost its membership ({call}: {error})");
                client.Positions.Clear();
                client.PendingRevocation.Clear();
                client.MemberId = string.Empty;
                client.Generation = -1;
                if (client.JoinId is null)
                {
                    SendJoin(client);
                }

                return;
            default:
                Log($"{client.Name} stops on {error} ({call})");
                client.Die();
                return;
        }
    }

    /// <summary>Commits the positions of the partitions and stops consuming them (Kafka's onPartitionsRevoked).</summary>
    private void Revoke(Client client, List<TopicPartition> partitions, string why)
    {
        CommitPositions(client, why, partitions);
        if (!client.Alive)
        {
            return;
        }

        foreach (TopicPartition partition in partitions)
        {
            client.Positions.Remove(partition);
            client.PendingRevocation.Remove(partition);
        }
    }

    private void CommitPositions(Client client, string why, List<TopicPartition>? only = null)
    {
        List<TopicPartition> partitions = only ?? [.. client.Positions.Keys];
        if (client.MemberId.Length == 0 || partitions.Count == 0)
        {
            return;
        }

        OffsetCommitRequest request = new(
            client.MemberId,
            client.InstanceId,
            client.Generation,
            [.. partitions.Select(p => new OffsetCommitEntry(p, client.Positions[p], why))]);
        OffsetCommitResult result = _machine.Commit(request);
        Apply();
        Commits++;
        if (result.Error != ErrorCode.None)
        {
            Log($"{client.Name} commit ({why}) refused: {result.Error}");
            OnMembershipError(client, result.Error, "commit");
        }
    }

    private void Log(string line)
    {
        _history.Enqueue($"[{NowMs % 1_000_000:D6} gen {_machine.GenerationId} {_machine.State}] {line}");
        if (_history.Count > 60)
        {
            _history.Dequeue();
        }
    }

    /// <summary>One simulated consumer process.</summary>
    private sealed class Client(string name, string? instanceId, string[] topics)
    {
        public string Name { get; } = name;

        public string? InstanceId { get; } = instanceId;

        public string[] Topics { get; } = topics;

        public string MemberId { get; set; } = string.Empty;

        public int Generation { get; set; } = -1;

        public long? JoinId { get; set; }

        public long NextHeartbeatMs { get; set; }

        public long PausedUntilMs { get; set; }

        public bool Paused => PausedUntilMs > 0;

        public bool Alive { get; private set; } = true;

        /// <summary>The partitions it processes now, with the next offset it would commit.</summary>
        public Dictionary<TopicPartition, long> Positions { get; } = [];

        /// <summary>Partitions a cooperative consumer has been told to give up but still processes.</summary>
        public HashSet<TopicPartition> PendingRevocation { get; } = [];

        public void Die()
        {
            Alive = false;
            Positions.Clear();
            PendingRevocation.Clear();
        }
    }
}
