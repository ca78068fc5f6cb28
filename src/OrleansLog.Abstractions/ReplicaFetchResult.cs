using Orleans.Serialization.Buffers;

namespace OrleansLog;

/// <summary>
/// The leader's answer to a <see cref="ReplicaFetchRequest"/>: whole batches from the fetch offset up to the
/// leader's log end (not only the high watermark, since followers must copy uncommitted records too), the
/// leader's epoch, high watermark and log start offset. On <see cref="ErrorCode.FencedLeaderEpoch"/> the
/// follower is behind the leader's epoch and must truncate by leader epoch before fetching again;
/// <see cref="ErrorCode.OffsetOutOfRange"/> with a fetch offset below <see cref="LogStartOffset"/> means
/// the follower must start over at the leader's log start. The receiver disposes <see cref="Records"/>.
/// </summary>
[GenerateSerializer, Alias("olog.ReplicaFetchResult")]
public struct ReplicaFetchResult
{
    [Id(0)] public ErrorCode Error { get; set; }
    [Id(1)] public string? Message { get; set; }
    [Id(2)] public int LeaderEpoch { get; set; }
    [Id(3)] public long HighWatermark { get; set; }
    [Id(4)] public long LogStartOffset { get; set; }
    [Id(5)] public long LogEndOffset { get; set; }
    [Id(6)] public PooledBuffer Records { get; set; }

    public static ReplicaFetchResult Failure(ErrorCode error, string message, int leaderEpoch = -1, long logStartOffset = -1) =>
        new() { Error = error, Message = message, LeaderEpoch = leaderEpoch, LogStartOffset = logStartOffset, HighWatermark = -1, LogEndOffset = -1 };
}
