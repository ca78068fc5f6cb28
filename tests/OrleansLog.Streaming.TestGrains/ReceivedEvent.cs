namespace OrleansLog.Streaming.TestGrains;

/// <summary>What a subscriber saw: the event's sequence (or raw value) and the token it came with.</summary>
[GenerateSerializer, Immutable, Alias("olog.tests.ReceivedEvent")]
public sealed record ReceivedEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] long Offset,
    [property: Id(2)] int EventIndex,
    [property: Id(3)] string? Raw = null);
