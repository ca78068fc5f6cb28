using System.Buffers;
using OrleansLog.Grains.Replication;
using OrleansLog.Storage;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication.TestSupport;

/// <summary>
/// Three real on-disk replicas of one partition, A, B and C, each a <see cref="PartitionLog"/> in its own
/// directory (<c>{temp}/{node}/orders-0</c>) under one temp root the test owns, with its own commit
/// scheduler. Replication is played by hand: <see cref="LeaderAppendAsync"/> writes as a leader,
/// <see cref="CopyAsync"/> does what one follower fetch does.
/// </summary>
internal sealed class ReplicaCluster : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleanslog-replication-tests", Guid.NewGuid().ToString("N"));
    private readonly CommitScheduler _scheduler = new();
    private readonly Dictionary<string, PartitionLog> _logs = new(StringComparer.Ordinal);
    private int _seed;

    public ReplicaCluster()
    {
        foreach (string node in new[] { "A", "B", "C" })
        {
            _logs[node] = PartitionLog.Open(Path.Combine(_root, node, "orders-0"), new PartitionLogOptions(), _scheduler);
        }
    }

    public PartitionLog this[string node] => _logs[node];

    /// <summary>Closes and reopens <paramref name="node"/>'s log, as a replica restart does.</summary>
    public void Reopen(string node)
    {
        PartitionLog log = _logs[node];
        log.Dispose();
        _logs[node] = PartitionLog.Open(log.Directory, new PartitionLogOptions(), _scheduler);
    }

    /// <summary>Appends <paramref name="count"/> fresh one-record batches to <paramref name="node"/> as leader of <paramref name="epoch"/>.</summary>
    public async Task LeaderAppendAsync(string node, int epoch, int count)
    {
        for (int i = 0; i < count; i++)
        {
            byte[] batch = ReplicaBatches.Create(1, 64, 1_700_000_000_000, seed: ++_seed);
            await _logs[node].AppendAsync(batch, epoch, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>One follower fetch: copies everything <paramref name="leader"/> has past the follower's log end.</summary>
    public async Task CopyAsync(string leader, string follower)
    {
        byte[] bytes = ReadAll(_logs[leader], _logs[follower].LogEndOffset);
        if (bytes.Length > 0)
        {
            await _logs[follower].AppendAsFollowerAsync(bytes, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>The leader's OffsetForLeaderEpoch handler.</summary>
    public EpochEndOffset OffsetForLeaderEpoch(string leader, int epoch)
    {
        (int answerEpoch, long endOffset) = _logs[leader].LeaderEpochCache.EndOffsetFor(epoch);
        return new EpochEndOffset(answerEpoch, endOffset);
    }

    /// <summary>
    /// The follower side of a leader change: resolve the truncation point against <paramref name="leader"/>,
    /// truncate once, then fetch. Returns the epochs asked about, in order.
    /// </summary>
    public async Task<List<int>> RejoinAsFollowerAsync(string follower, string leader)
    {
        var asked = new List<int>();
        PartitionLog log = _logs[follower];
        TruncationDecision decision = await FollowerTruncation.ResolveAsync(
            log.LeaderEpochCache.Entries,
            log.LogEndOffset,
            (epoch, _) =>
            {
                asked.Add(epoch);
                return ValueTask.FromResult(OffsetForLeaderEpoch(leader, epoch));
            },
            TestContext.Current.CancellationToken);
        Assert.True(decision.Outcome == TruncationOutcome.Complete, $"truncation of {follower} against {leader}: expected Complete, got {decision}");
        log.TruncateTo(decision.TruncateToOffset);
        await CopyAsync(leader, follower);
        return asked;
    }

    public static byte[] ReadAll(PartitionLog log, long fromOffset)
    {
        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult result = log.Read(fromOffset, int.MaxValue, long.MaxValue, buffer);
        Assert.Equal(ErrorCode.None, result.ErrorCode);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Asserts two replicas hold the same bytes, the same log end and the same epoch history.</summary>
    public void AssertIdentical(string expected, string actual)
    {
        PartitionLog left = _logs[expected];
        PartitionLog right = _logs[actual];
        Assert.Equal(left.LogEndOffset, right.LogEndOffset);
        Assert.Equal(left.LeaderEpochCache.Entries, right.LeaderEpochCache.Entries);
        byte[] leftBytes = ReadAll(left, 0);
        byte[] rightBytes = ReadAll(right, 0);
        Assert.True(leftBytes.AsSpan().SequenceEqual(rightBytes),
            $"{actual}'s log ({rightBytes.Length} bytes) differs from {expected}'s ({leftBytes.Length} bytes)");
    }

    public void Dispose()
    {
        foreach (PartitionLog log in _logs.Values)
        {
            log.Dispose();
        }

        _scheduler.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
