namespace OrleansLog;

/// <summary>The special timestamps of Kafka's ListOffsets request.</summary>
public static class OffsetSpec
{
    /// <summary>The log end offset (Kafka's LATEST_TIMESTAMP).</summary>
    public const long Latest = -1;

    /// <summary>The log start offset (Kafka's EARLIEST_TIMESTAMP).</summary>
    public const long Earliest = -2;
}
