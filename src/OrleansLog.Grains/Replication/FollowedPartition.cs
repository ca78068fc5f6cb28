using OrleansLog.Grains.Partitions;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// A partition this node follows, as its replica fetcher sees it: the local copy, the leader's node, the
/// epoch fence, whether truncation ran for the followed epoch, and a back-off after failures. Changed only
/// under the <see cref="ReplicaFetcherManager"/>'s lock, except the back-off, which its fetcher owns.
/// </summary>
internal sealed class FollowedPartition(TopicPartition id, Partition copy, string leaderNode, EpochFence fence)
{
    public TopicPartition Id { get; } = id;

    public Partition Copy { get; } = copy;

    /// <summary>The node whose replica manager this partition is fetched from.</summary>
    public string LeaderNode { get; set; } = leaderNode;

    /// <summary>The newest leader epoch known for this partition on this node (kept after the partition stops being followed).</summary>
    public EpochFence Fence { get; } = fence;

    /// <summary>Open once truncation ran against the followed epoch; nothing is fetched before (KIP-101).</summary>
    public TruncationGate Truncation { get; } = new();

    /// <summary>Timestamp before which the fetcher leaves the partition out (after a failure).</summary>
    public long NotBefore { get; set; }

    /// <summary>Failures in a row, for the back-off.</summary>
    public int Failures { get; set; }

    /// <summary>When the fetcher last asked the partition for its leader (after the leader node refused).</summary>
    public long LastLeaderLookup { get; set; }
}
