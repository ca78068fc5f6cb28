namespace OrleansLog.Client;

/// <summary>
/// Reads records from assigned partitions. Partitions are assigned manually with <see cref="Assign(IEnumerable{TopicPartition})"/>;
/// consumer groups (Subscribe, Commit) come later. Fetching runs in the background and is pipelined: per
/// partition the next fetch is in flight while the previous one's records are handed out.
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
    /// (CorruptMessage), or a non-retriable fetch error. That partition stays halted until it is sought.</exception>
    ValueTask<ConsumeResult?> ConsumeAsync(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Every record as it arrives, until <paramref name="cancellationToken"/> is cancelled.</summary>
    IAsyncEnumerable<ConsumeResult> ConsumeAllAsync(CancellationToken cancellationToken = default);
}
