namespace OrleansLog.Streaming.TestGrains;

/// <summary>The event the stream tests send: which producer sequence it is, and an optional payload.</summary>
[GenerateSerializer, Immutable, Alias("olog.tests.TestEvent")]
public sealed record TestEvent([property: Id(0)] long Sequence, [property: Id(1)] string? Payload = null, [property: Id(2)] long SentTicks = 0);
