namespace OrleansLog.Client;

/// <summary>What <see cref="GroupMembership"/> needs to know from, and tell, the consumer it runs for.</summary>
/// <remarks>Called without the membership's lock held; implementations take their own lock.</remarks>
internal interface IMembershipHost
{
    /// <summary>The partitions the consumer holds from the group now (applied assignments), for cooperative JoinGroup.</summary>
    IReadOnlyList<TopicPartition> OwnedPartitions();

    /// <summary>
    /// Monotonic milliseconds at which the application last left a consume call, or null while it is
    /// inside one (waiting counts as polling, as in Kafka's poll loop).
    /// </summary>
    long? PollIdleSinceMs();

    /// <summary>How many consume calls the application has started; tells the loop a poll happened.</summary>
    long PollCount { get; }

    /// <summary>An event was queued or the membership failed: wake a consume call waiting for records.</summary>
    void OnMembershipChanged();
}
