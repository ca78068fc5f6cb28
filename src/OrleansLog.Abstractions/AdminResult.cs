namespace OrleansLog;

/// <summary>Outcome of an administrative operation: Kafka's error code and a message naming what was wrong.</summary>
[GenerateSerializer, Immutable, Alias("olog.AdminResult")]
public readonly record struct AdminResult([property: Id(0)] ErrorCode Error, [property: Id(1)] string? Message)
{
    public static AdminResult Ok => new(ErrorCode.None, null);

    public bool IsSuccess => Error == ErrorCode.None;

    public static AdminResult Failure(ErrorCode error, string message) => new(error, message);
}
