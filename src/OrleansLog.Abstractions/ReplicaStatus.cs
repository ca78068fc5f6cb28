namespace OrleansLog;

/// <summary>What a follower replica reports of itself: how far its local log goes and which leader epoch it follows.</summary>
/// <param name="NodeId">The node holding the replica.</param>
/// <param name="Following">Whether its fetch loop runs (false once stopped for a local leader or never started).</param>
/// <param name="LeaderEpoch">The newest leader epoch it has accepted.</param>
/// <param name="LogStartOffset">Its local log start offset; -1 when it has no log open.</param>
/// <param name="LogEndOffset">Its local log end offset; -1 when it has no log open.</param>
/// <param name="HighWatermark">The high watermark from its last fetch, at most its log end.</param>
[GenerateSerializer, Immutable, Alias("olog.ReplicaStatus")]
public sealed record ReplicaStatus(
    [property: Id(0)] string NodeId,
    [property: Id(1)] bool Following,
    [property: Id(2)] int LeaderEpoch,
    [property: Id(3)] long LogStartOffset,
    [property: Id(4)] long LogEndOffset,
    [property: Id(5)] long HighWatermark);
