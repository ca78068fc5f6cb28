namespace OrleansLog;

/// <summary>Facts about <see cref="ErrorCode"/> values that callers decide on.</summary>
public static class ErrorCodeExtensions
{
    /// <summary>
    /// True when Kafka marks the error retriable (<c>RetriableException</c>): the same request may
    /// succeed later without the caller changing anything.
    /// </summary>
    public static bool IsRetriable(this ErrorCode code) => code switch
    {
        ErrorCode.CorruptMessage => true,
        ErrorCode.UnknownTopicOrPartition => true,
        ErrorCode.LeaderNotAvailable => true,
        ErrorCode.NotLeaderOrFollower => true,
        ErrorCode.RequestTimedOut => true,
        ErrorCode.NetworkException => true,
        ErrorCode.CoordinatorLoadInProgress => true,
        ErrorCode.CoordinatorNotAvailable => true,
        ErrorCode.NotCoordinator => true,
        ErrorCode.NotEnoughReplicas => true,
        ErrorCode.NotEnoughReplicasAfterAppend => true,
        ErrorCode.KafkaStorageError => true,
        ErrorCode.FencedLeaderEpoch => true,
        ErrorCode.UnknownLeaderEpoch => true,
        ErrorCode.PreferredLeaderNotAvailable => true,
        ErrorCode.RebalanceInProgress => true,
        ErrorCode.UnstableOffsetCommit => true,
        _ => false,
    };
}
