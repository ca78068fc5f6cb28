namespace OrleansLog.Client;

/// <summary>
/// Kafka's <c>auto.offset.reset</c>: where a consumer starts on a partition it has no position for, and
/// where it jumps when its position falls outside the log (OffsetOutOfRange, e.g. after retention
/// deleted the records it was about to read).
/// </summary>
public enum AutoOffsetReset
{
    /// <summary>Start from the log start offset (the oldest retained record).</summary>
    Earliest,

    /// <summary>Start from the log end offset: only records produced from now on.</summary>
    Latest,

    /// <summary>Do not guess: consuming throws <see cref="OrleansLogException"/> until the application seeks.</summary>
    Error,
}
