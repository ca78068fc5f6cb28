namespace OrleansLog.Groups;

/// <summary>The targets of an offset reset (Kafka's kafka-consumer-groups --to-earliest/--to-latest/--to-offset/--to-datetime).</summary>
public enum OffsetResetKind
{
    Earliest = 0,
    Latest = 1,

    /// <summary>To <see cref="OffsetResetSpec.Value"/>, clamped into [log start, high watermark] as Kafka does.</summary>
    ToOffset = 2,

    /// <summary>To the first offset at or after the timestamp <see cref="OffsetResetSpec.Value"/> (ms), or the high watermark.</summary>
    ToTimestamp = 3,
}
