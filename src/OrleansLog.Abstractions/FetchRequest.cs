namespace OrleansLog;

/// <summary>
/// A consumer's (or later a follower's) fetch from one partition: whole batches starting at the batch
/// holding <see cref="Offset"/>, at most <see cref="MaxBytes"/> (but at least one batch). The leader answers
/// at once when <see cref="MinBytes"/> are available, else waits up to <see cref="MaxWaitMs"/> for more.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.FetchRequest")]
public readonly record struct FetchRequest(
    [property: Id(0)] long Offset,
    [property: Id(1)] int MaxBytes,
    [property: Id(2)] int MinBytes,
    [property: Id(3)] int MaxWaitMs);
