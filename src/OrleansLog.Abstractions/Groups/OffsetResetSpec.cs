namespace OrleansLog.Groups;

/// <summary>Where <c>groups reset-offsets</c> moves a topic's committed offsets.</summary>
[GenerateSerializer, Immutable, Alias("olog.OffsetResetSpec")]
public sealed record OffsetResetSpec(
    [property: Id(0)] OffsetResetKind Kind,
    [property: Id(1)] long Value);
