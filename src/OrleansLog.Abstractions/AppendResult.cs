namespace OrleansLog;

/// <summary>
/// The leader's answer to one produce request. Expected failures are data: <see cref="Error"/> carries
/// Kafka's code and <see cref="Message"/> says which topic-partition, offset or field was wrong.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.AppendResult")]
public readonly record struct AppendResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] long BaseOffset,
    [property: Id(2)] long LastOffset,
    [property: Id(3)] long LogAppendTimeMs,
    [property: Id(4)] long LogStartOffset,
    [property: Id(5)] string? Message)
{
    public bool IsSuccess => Error == ErrorCode.None;

    public static AppendResult Success(long baseOffset, long lastOffset, long logAppendTimeMs, long logStartOffset) =>
        new(ErrorCode.None, baseOffset, lastOffset, logAppendTimeMs, logStartOffset, null);

    public static AppendResult Failure(ErrorCode error, string message) => new(error, -1, -1, -1, -1, message);
}
