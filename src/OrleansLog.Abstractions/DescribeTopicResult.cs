namespace OrleansLog;

/// <summary>Answer to describe-topic: the description, or UnknownTopicOrPartition with a message.</summary>
[GenerateSerializer, Immutable, Alias("olog.DescribeTopicResult")]
public sealed record DescribeTopicResult(
    [property: Id(0)] ErrorCode Error,
    [property: Id(1)] string? Message,
    [property: Id(2)] TopicDescription? Topic);
