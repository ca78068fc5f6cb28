namespace OrleansLog.Streaming;

/// <summary>Where a queue with no checkpoint yet starts reading its partition.</summary>
public enum QueueStartPosition
{
    /// <summary>The log start: every retained event reaches the subscribers.</summary>
    Earliest,

    /// <summary>The log end: only events appended from now on.</summary>
    Latest,
}
