namespace OrleansLog.Client;

/// <summary>
/// Reads records from assigned partitions. Partitions are either assigned manually with
/// <see cref="Assign(IEnumerable{TopicPartition})"/>, or by a consumer group with <see cref="Subscribe"/>
/// (<see cref="ConsumerOptions.GroupId"/>), whose coordinator splits the subscribed topics' partitions among
/// the members. Fetching runs in the background and is pipelined: per partition the next fetch is in flight
/// while the previous one's records are handed out.
/// </summary>
/// <remarks>
/// Like Kafka's consumer, one consumer is used by one logical reader at a time: call the consume methods
/// from one task. Seek, pause and the other control methods may be called between consumes.
/// </remarks>
public interface IConsumer : IAsyncDisposable
{
    /// <summary>The partitions assigned now.</summary>
    IReadOnlyList<TopicPartition> Assignment { get; }

    /// <summary>
    /// Replaces the assignment. Partitions that stay keep their position; new ones start at the position
    /// <see cref="ConsumerOptions.AutoOffsetReset"/> chooses.
    /// </summary>
    void Assign(IEnumerable<TopicPartition> partitions);

    /// <summary>
    /// Replaces the assignment and starts each partition at its offset (<see cref="OffsetSpec.Earliest"/> and
    /// <see cref="OffsetSpec.Latest"/> mean the log start and end).
    /// </summary>
    void Assign(IEnumerable<TopicPartitionOffset> partitions);

    /// <summary>Removes every partition.</summary>
    void Unassign();

    /// <summary>
    /// Continues <paramref name="partition"/> at <paramref name="offset"/> (or the log start / end for
    /// <see cref="OffsetSpec.Earliest"/> / <see cref="OffsetSpec.Latest"/>); records buffered for it are dropped.
    /// </summary>
    /// <exception cref="InvalidOperationException">The partition is not assigned.</exception>
    void Seek(TopicPartition partition, long offset);

    /// <summary>Seeks each partition to its log start offset.</summary>
    void SeekToBeginning(IEnumerable<TopicPartition> partitions);

    /// <summary>Seeks each partition to its log end offset.</summary>
    void SeekToEnd(IEnumerable<TopicPartition> partitions);

    /// <summary>
    /// Seeks each partition to the first record whose timestamp is at or after <paramref name="timestamp"/>
    /// (Kafka's offsetsForTimes), or to the log end when there is none.
    /// </summary>
    Task SeekToTimestampAsync(IEnumerable<TopicPartition> partitions, DateTimeOffset timestamp, CancellationToken cancellationToken = default);

    /// <summary>The offset of the next record the application will get from the partition; null while it is being looked up.</summary>
    long? Position(TopicPartition partition);

    /// <summary>Stops fetching and handing out records of the partitions; their positions and buffered records stay.</summary>
    void Pause(IEnumerable<TopicPartition> partitions);

    /// <summary>Undoes <see cref="Pause"/>.</summary>
    void Resume(IEnumerable<TopicPartition> partitions);

    /// <summary>
    /// The next record of any assigned, unpaused partition, or null when none arrives within
    /// <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/> waits indefinitely).
    /// </summary>
    /// <exception cref="OrleansLogException">A partition failed in a way the application must decide on:
    /// OffsetOutOfRange or no position with <see cref="AutoOffsetReset.Error"/>, a corrupt batch
    /// (CorruptMessage), or a non-retriable fetch error. That partition stays halted until it is sought. In a
    /// group, also a membership failure that ends it (FencedInstanceId, InconsistentGroupProtocol,
    /// InvalidSessionTimeout, ...), thrown from every later call.</exception>
    /// <remarks>In a group, rebalances are applied inside this call; an exception thrown by the
    /// <see cref="IConsumerRebalanceListener"/> is rethrown from it once the rebalance is applied.</remarks>
    ValueTask<ConsumeResult?> ConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Every record as it arrives, until <paramref name="cancellationToken"/> is cancelled.</summary>
    IAsyncEnumerable<ConsumeResult> ConsumeAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for fetched records and hands out the rest of one partition's
    /// next fetch at once, without copying: the records are views of the pooled fetch buffer. Partitions take
    /// turns as with <see cref="ConsumeAsync"/>, errors are thrown the same way, and the position moves past
    /// the batch's last record. Returns null on timeout.
    /// </summary>
    /// <returns>
    /// A lease the caller must dispose, which returns the buffer to the pool; record views are valid until
    /// then (see <see cref="ConsumedBatch"/>).
    /// </returns>
    ValueTask<ConsumedBatch?> ConsumeBatchAsync(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>The topics passed to <see cref="Subscribe"/>; empty when not subscribed.</summary>
    IReadOnlyList<string> Subscription { get; }

    /// <summary>
    /// Joins the group <see cref="ConsumerOptions.GroupId"/> for <paramref name="topics"/> (replacing an
    /// earlier subscription). The group's coordinator assigns partitions; a partition starts at the group's
    /// committed offset, else where <see cref="ConsumerOptions.AutoOffsetReset"/> says. Membership
    /// (join, heartbeats) runs in the background; rebalances are applied and <paramref name="listener"/> is
    /// called inside <see cref="ConsumeAsync"/>. Delivery is at least once: positions reach other members only
    /// through commits, and auto-commit commits only records handed out before the latest consume call.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="ConsumerOptions.GroupId"/>, or partitions are assigned manually.</exception>
    void Subscribe(IEnumerable<string> topics, IConsumerRebalanceListener? listener = null);

    /// <summary>
    /// Leaves the group: commits the consumed positions (with auto-commit on), reports the partitions
    /// revoked, and sends LeaveGroup so the others take them over at once. Does nothing when not subscribed.
    /// </summary>
    Task UnsubscribeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits the position of every assigned partition: the offset after the last record handed out
    /// (Kafka's commitSync()). Waits for the coordinator's answer.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="ConsumerOptions.GroupId"/>.</exception>
    /// <exception cref="OrleansLogException">The coordinator refused the commit, e.g. IllegalGeneration or
    /// RebalanceInProgress after a rebalance took the partitions away, or UnknownTopicOrPartition.</exception>
    Task CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits the given offsets; each is the next offset to consume (the last processed record's offset
    /// plus one), as in Kafka.
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="ConsumerOptions.GroupId"/>.</exception>
    /// <exception cref="OrleansLogException">The coordinator refused the commit.</exception>
    Task CommitAsync(IEnumerable<TopicPartitionOffset> offsets, CancellationToken cancellationToken = default);

    /// <summary>The group's committed offsets of <paramref name="partitions"/>, in the same order; -1 where none is committed.</summary>
    /// <exception cref="InvalidOperationException">No <see cref="ConsumerOptions.GroupId"/>.</exception>
    Task<IReadOnlyList<TopicPartitionOffset>> CommittedAsync(IEnumerable<TopicPartition> partitions, CancellationToken cancellationToken = default);
}
