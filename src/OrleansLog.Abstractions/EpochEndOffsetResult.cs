namespace OrleansLog;

/// <summary>
/// The leader's answer to OffsetForLeaderEpoch (Kafka API key 23): for the requested epoch, the largest
/// epoch at or below it that the leader's log has (<see cref="EndOffsetEpoch"/>) and where that epoch ends
/// in the leader's log (<see cref="EndOffset"/>); (-1, -1) when the leader knows no such epoch.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.EpochEndOffsetResult")]
public sealed record EpochEndOffsetResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] string? Message,
    [property: Id(2)] int LeaderEpoch,
    [property: Id(3)] int EndOffsetEpoch,
    [property: Id(4)] long EndOffset);
