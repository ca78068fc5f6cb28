namespace OrleansLog.Client;

/// <summary>
/// Kafka's <c>ConsumerRebalanceListener</c>: told when the group moves partitions to or from this consumer.
/// The callbacks run inside <see cref="IConsumer.ConsumeAsync"/> (and inside
/// <see cref="IConsumer.UnsubscribeAsync"/> and dispose), on the application's consuming task, never
/// concurrently with the processing of a record; they may call the consumer's commit, seek, position and
/// pause methods, but not consume.
/// </summary>
/// <remarks>
/// Order within one rebalance: revoked, then assigned. With auto-commit on, the consumed positions of
/// revoked partitions are committed before <see cref="OnPartitionsRevokedAsync"/> runs. An exception from
/// a callback is thrown from the consume call once the rebalance has been applied.
/// </remarks>
public interface IConsumerRebalanceListener
{
    /// <summary>
    /// The partitions now given to this consumer (in a cooperative rebalance only the new ones; possibly
    /// none — it is called after every completed rebalance). Their positions are the group's committed
    /// offsets, else <see cref="ConsumerOptions.AutoOffsetReset"/>, unless the callback seeks them.
    /// </summary>
    ValueTask OnPartitionsAssignedAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>
    /// The partitions this consumer gives up in a rebalance, while it still owns them: the last chance to
    /// commit their positions (auto-commit already did when it is on).
    /// </summary>
    ValueTask OnPartitionsRevokedAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);

    /// <summary>
    /// The partitions this consumer lost without a rebalance telling it first (its session expired, it
    /// was fenced, or it exceeded <see cref="ConsumerOptions.MaxPollInterval"/>): other members may own
    /// them already, so committing them would fail. Records consumed since the last commit will be
    /// delivered again to their next owner.
    /// </summary>
    ValueTask OnPartitionsLostAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken);
}
