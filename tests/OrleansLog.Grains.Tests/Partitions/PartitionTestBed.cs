using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Tests.Partitions;

/// <summary>
/// Copies of one partition ("orders-0") on nodes A, B and C, each a real <see cref="Partition"/> over a real
/// <see cref="PartitionLog"/> in its own temp directory, all on one fake clock. Replication is driven by
/// hand: <see cref="CopyAsync"/> is one follower fetch and its append.
/// </summary>
internal sealed class PartitionTestBed : IDisposable
{
    public static readonly TopicPartition Id = new("orders", 0);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleanslog-partition-tests", Guid.NewGuid().ToString("N"));
    private readonly CommitScheduler _scheduler;
    private readonly Dictionary<string, Partition> _copies = new(StringComparer.Ordinal);

    /// <param name="manualCommits">Fsyncs run only when the test calls <see cref="RunCommitWork"/> (flush.messages=1 tests).</param>
    public PartitionTestBed(TopicConfig? config = null, PartitionSettings? settings = null, bool manualCommits = false)
    {
        _scheduler = manualCommits ? CommitScheduler.CreateManual(Time) : new CommitScheduler();
        Config = config ?? TopicConfig.Default;
        Settings = settings ?? new PartitionSettings(TimeSpan.FromSeconds(30), 1 << 20, TimeSpan.FromSeconds(30));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public TopicConfig Config { get; }

    public PartitionSettings Settings { get; }

    public RecordingLeaderHost Host { get; } = new();

    /// <summary>Runs the fsyncs queued so far (a bed made with manual commits).</summary>
    public int RunCommitWork() => _scheduler.RunPendingWork();

    public Partition this[string node] => _copies.TryGetValue(node, out Partition? copy) ? copy : _copies[node] = Open(node);

    public string DirectoryOf(string node) => Path.Combine(_root, node, Id.ToDirectoryName());

    /// <summary>Opens <paramref name="node"/>'s copy afresh from its directory (a restart); the old one must be closed or abandoned.</summary>
    public Partition Reopen(string node, bool closeCleanly = true)
    {
        if (_copies.Remove(node, out Partition? old))
        {
            if (closeCleanly)
            {
                old.Close();
            }
            else
            {
                old.Log.Dispose();
            }
        }

        return _copies[node] = Open(node);
    }

    /// <summary>Makes <paramref name="node"/> leader of <paramref name="epoch"/> with the given replicas and ISR.</summary>
    public Partition Lead(string node, int epoch, string[] replicas, string[]? isr = null)
    {
        Partition leader = this[node];
        leader.BecomeLeader(new LeaderAndIsr(node, epoch, replicas, isr ?? replicas, 0), Host);
        return leader;
    }

    /// <summary>One follower fetch of <paramref name="follower"/> from <paramref name="leader"/> in <paramref name="epoch"/>, appended.</summary>
    public async Task<ReplicaFetchResult> CopyAsync(string leader, string follower, int epoch)
    {
        Partition copy = this[follower];
        if (copy.Role != PartitionRole.Follower)
        {
            copy.BecomeFollower();
        }

        ReplicaFetchResult result = await this[leader].ReplicaFetchAsync(
            new ReplicaFetchRequest(follower, epoch, copy.Log.LogEndOffset, 1 << 20, 0), CancellationToken.None);
        try
        {
            if (result.Error == ErrorCode.None)
            {
                await copy.AppendFetchedAsync(result, CancellationToken.None);
            }

            return result;
        }
        finally
        {
            result.Records.Dispose();
        }
    }

    /// <summary>A valid batch of <paramref name="values"/>, idempotent when <paramref name="producerId"/> is given.</summary>
    public static byte[] Batch(string[] values, long producerId = -1, short epoch = 0, int baseSequence = 0)
    {
        using var builder = new RecordBatchBuilder();
        if (producerId >= 0)
        {
            builder.SetProducerState(producerId, epoch, baseSequence);
        }

        foreach (string value in values)
        {
            builder.TryAppend(1_700_000_000_000, null, Encoding.UTF8.GetBytes(value));
        }

        return builder.SealToArray();
    }

    public static byte[] Batch(string value, long producerId = -1, short epoch = 0, int baseSequence = 0) =>
        Batch([value], producerId, epoch, baseSequence);

    public void Dispose()
    {
        foreach (Partition copy in _copies.Values)
        {
            try
            {
                copy.Close();
            }
            catch (ObjectDisposedException)
            {
                // Closed by the test already.
            }
        }

        _scheduler.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the OS cleans temp.
        }
    }

    private Partition Open(string node)
    {
        PartitionLog log = PartitionLog.Open(DirectoryOf(node), Config.ToLogOptions(), _scheduler, NullLogger<PartitionLog>.Instance, Time);
        return new Partition(Id, log, Config, Settings, Time, NullLogger<Partition>.Instance);
    }
}

/// <summary>What a leading <see cref="Partition"/> asked of its host.</summary>
internal sealed class RecordingLeaderHost : ILeaderHost
{
    public List<IsrProposal> Proposals { get; } = [];

    public List<string> StepDowns { get; } = [];

    public void PersistIsr(IsrProposal proposal) => Proposals.Add(proposal);

    public void StepDown(string reason) => StepDowns.Add(reason);
}
