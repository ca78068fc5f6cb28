namespace OrleansLog;

/// <summary>
/// Answer to ListOffsets: the offset for a timestamp (the first offset whose batch has a timestamp at or
/// after it), or for <see cref="OffsetSpec.Earliest"/>/<see cref="OffsetSpec.Latest"/>. When no record is
/// that new, Kafka answers offset -1; so do we.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.ListOffsetsResult")]
public readonly record struct ListOffsetsResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] long Offset,
    [property: Id(2)] long Timestamp,
    [property: Id(3)] string? Message);
