using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using OrleansLog.Storage;

namespace OrleansLog.Simulation.Replication;

/// <summary>
/// A deterministic, seeded simulation of one partition replicated on three nodes. It drives the real
/// replication rules — <see cref="Partition"/> as leader and follower over real <see cref="PartitionLog"/>s,
/// <see cref="LeaderReplicationState"/>, <see cref="LeaderElection"/>, <see cref="FollowerTruncation"/>,
/// <see cref="FollowerRules"/>, <see cref="EpochFence"/> and <see cref="TruncationGate"/> — on in-memory
/// disks that lose unsynced bytes on a power cut, a fake clock, a network that delays, drops, duplicates
/// and reorders calls, a membership view that may be wrong, and a replication record store with ETags that
/// may fail or fail ambiguously. The grain's and the node's orchestration around those rules (taking
/// office, persisting the ISR, following, fetching) is reproduced step by step.
/// <para>After every step it checks: offsets in every log are dense; nothing below a copy's high watermark
/// differs between copies or ever changes (committed records are immutable); the leader of the current
/// epoch holds every committed record; every acknowledged record is committed; consumers see nothing at or
/// above the high watermark; no record is committed twice. At the end it heals every fault and checks the
/// partition comes back with every copy complete.</para>
/// <para>Everything runs on one thread under <see cref="SimulationContext"/>, so a seed replays exactly.</para>
/// </summary>
internal sealed partial class ReplicationSimulation
{
    private static readonly TopicPartition Id = new("sim", 0);
    private static readonly string[] Replicas = ["A", "B", "C"];

    private readonly int _seed;
    private readonly int _maxSteps;
    private readonly Random _random;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SimulationContext _context = new();
    private readonly Dictionary<string, SimulatedNode> _nodes;
    private readonly List<SimulatedMessage> _network = [];
    private readonly HashSet<string> _declaredDead = new(StringComparer.Ordinal);
    private readonly SimulatedRecordStore _store;
    private readonly TopicConfig _config;
    private readonly PartitionSettings _settings = new(TimeSpan.FromSeconds(10), 1 << 20, TimeSpan.FromSeconds(1));
    private readonly bool _flushEveryMessage;
    private readonly Queue<string> _lastSteps = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "olog-sim");
    private ulong _fingerprint = 14695981039346656037UL;
    private int _step;
    private long _nextCall = 1;
    private int _elections;
    private int _crashes;

    public ReplicationSimulation(int seed, int steps)
    {
        _seed = seed;
        _maxSteps = steps;
        _random = new Random(seed);
        _flushEveryMessage = _random.Next(2) == 0;
        _config = TopicConfig.Default with
        {
            ReplicationFactor = 3,
            MinInSyncReplicas = 2,
            SegmentBytes = 1024 + _random.Next(2048),
            IndexIntervalBytes = 128,
            FlushMessages = _flushEveryMessage ? 1 : long.MaxValue,
        };
        _nodes = Replicas.ToDictionary(r => r, r => new SimulatedNode(r), StringComparer.Ordinal);
        _store = new SimulatedRecordStore(new PartitionReplicationState
        {
            Leader = null,
            Replicas = Replicas,
            Isr = Replicas,
            PartitionEpoch = 0,
        });
        foreach (SimulatedNode node in _nodes.Values)
        {
            node.Disk.CreateDirectory(DirectoryOf(node));
        }
    }

    /// <summary>Runs the seed to its end or its first broken invariant.</summary>
    public static SimulationResult Run(int seed, int steps)
    {
        var simulation = new ReplicationSimulation(seed, steps);
        return simulation._context.Run(simulation.RunCore);
    }

    private SimulationResult RunCore()
    {
        string? failure = null;
        try
        {
            foreach (SimulatedNode node in _nodes.Values)
            {
                Start(node);
            }

            Trace($"flush.messages={(_flushEveryMessage ? "1" : "default")}, segment.bytes={_config.SegmentBytes}");
            for (_step = 1; _step <= _maxSteps && failure is null; _step++)
            {
                TakeOneStep();
                failure = Settle();
            }

            if (failure is null)
            {
                failure = Heal();
            }
        }
        catch (InvariantViolation violation)
        {
            failure = violation.Message;
        }
        catch (Exception ex)
        {
            failure = $"unexpected {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}";
        }
        finally
        {
            foreach (SimulatedMessage message in _network)
            {
                message.Lose();
            }
        }

        if (_context.ForeignPosts > 0 && failure is null)
        {
            failure = $"{_context.ForeignPosts} continuations ran off the simulation's thread: the run is not deterministic; the first from:\n{_context.FirstForeignPost}";
        }

        return new SimulationResult(_seed, _step, failure, [.. _lastSteps], _fingerprint, _acknowledged.Count, _elections, _crashes);
    }

    /// <summary>Runs what the step set going, then the checks; the first violation ends the run.</summary>
    private string? Settle()
    {
        _context.RunUntilIdle();
        TrackLeaders();
        CollectProduceOutcomes();
        _context.RunUntilIdle();
        CheckInvariants();
        return null;
    }

    /// <summary>When set, every step's line is written here as well (replaying one seed with --trace).</summary>
    public static TextWriter? TraceTo { get; set; }

    private void Trace(string line)
    {
        string entry = $"[{_step}] {line}";
        TraceTo?.WriteLine(entry);
        foreach (char c in entry)
        {
            _fingerprint = (_fingerprint ^ c) * 1099511628211UL;
        }

        _lastSteps.Enqueue(entry);
        if (_lastSteps.Count > 40)
        {
            _lastSteps.Dequeue();
        }
    }

    private string DirectoryOf(SimulatedNode node) => Path.Combine(_root, node.Id, Id.ToDirectoryName());

    /// <summary>Opens the node's copy from its disk (recovering what is there) and joins the cluster.</summary>
    private void Start(SimulatedNode node)
    {
        node.Incarnation++;
        node.Scheduler = CommitScheduler.CreateManual(_time);
        node.Copy = null;
        node.Up = true;
        TryOpenCopy(node);
        node.Fence = new EpochFence();
        node.Followed = null;
        node.FetchCall = 0;
        node.Truncating = false;
        node.State = null;
        node.Etag = -1;
        node.Stored = null;
        node.StopsAtStep = null;
        _declaredDead.Remove(node.Id);
    }

    /// <summary>
    /// <c>LogManager.GetOrOpenAsync</c>: opens (recovering) the node's copy when it is not open — at start, and
    /// after its log failed and was closed. False when the disk refuses (the copy stays offline).
    /// </summary>
    private bool TryOpenCopy(SimulatedNode node)
    {
        if (node.Copy is not null)
        {
            return true;
        }

        try
        {
            PartitionLog log = PartitionLog.Open(DirectoryOf(node), _config.ToLogOptions(), node.Scheduler!, NullLogger.Instance, _time, node.Disk);
            node.Copy = new Partition(Id, log, _config, _settings, _time, NullLogger<Partition>.Instance);
            return true;
        }
        catch (Exception ex) when (ex is IOException or KafkaStorageException)
        {
            Trace($"{node.Id} cannot open its log: {ex.Message}");
            return false;
        }
    }

    /// <summary><c>LogManager.ReportFailed</c>: the failed copy is closed; the next use reopens it.</summary>
    private void CloseFailedCopy(SimulatedNode node, Partition failed, string reason)
    {
        if (!ReferenceEquals(node.Copy, failed))
        {
            return;
        }

        if (node.Followed is { } followed && ReferenceEquals(followed.Copy, failed))
        {
            node.Followed = null;
            failed.StopFollowing();
        }

        try
        {
            failed.Close();
        }
        catch (Exception ex) when (ex is IOException or KafkaStorageException or ObjectDisposedException)
        {
            // The next open runs recovery.
        }

        node.Copy = null;
        Trace($"{node.Id}'s log failed and is closed until reopened: {reason}");
    }

    /// <summary>The process dies: with <paramref name="powerCut"/> its disk keeps only what was fsynced.</summary>
    private void Crash(SimulatedNode node, bool powerCut)
    {
        node.Up = false;
        node.Copy = null;
        node.Followed = null;
        node.Stored = null;
        node.Scheduler = null;
        if (powerCut)
        {
            node.Disk.PowerCut(_random);
        }
        else
        {
            node.Disk.Kill();
        }

        _crashes++;
    }

    private bool IsAliveInView(string nodeId) => !_declaredDead.Contains(nodeId);

    private void Send(SimulatedMessage message) => _network.Add(message);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private SimulatedNode[] UpNodes => [.. _nodes.Values.Where(n => n.Up)];

    private sealed class InvariantViolation(string message) : Exception(message);
}
