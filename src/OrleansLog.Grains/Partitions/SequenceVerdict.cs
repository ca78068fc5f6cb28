namespace OrleansLog.Grains.Partitions;

/// <summary>What to do with an incoming batch of an idempotent producer.</summary>
internal enum SequenceVerdict
{
    /// <summary>New and in order: append it.</summary>
    Append,

    /// <summary>A retry of a batch already appended: answer with the original result, append nothing.</summary>
    Duplicate,

    /// <summary>Out of order or from a fenced epoch: reject with the check's error.</summary>
    Reject,
}
