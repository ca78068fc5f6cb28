namespace OrleansLog.Client.Tests;

/// <summary>Writes every rebalance callback into the shared <see cref="CallLog"/>, e.g. "revoked events-1".</summary>
internal sealed class RecordingRebalanceListener(CallLog log) : IConsumerRebalanceListener
{
    /// <summary>Runs inside the assigned callback, after it is logged (e.g. to seek).</summary>
    public Action<IConsumer, IReadOnlyList<TopicPartition>>? OnAssigned { get; set; }

    public ValueTask OnPartitionsAssignedAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        log.Add($"assigned {Join(partitions)}");
        OnAssigned?.Invoke(consumer, partitions);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnPartitionsRevokedAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        log.Add($"revoked {Join(partitions)}");
        return ValueTask.CompletedTask;
    }

    public ValueTask OnPartitionsLostAsync(IConsumer consumer, IReadOnlyList<TopicPartition> partitions, CancellationToken cancellationToken)
    {
        log.Add($"lost {Join(partitions)}");
        return ValueTask.CompletedTask;
    }

    private static string Join(IReadOnlyList<TopicPartition> partitions) =>
        string.Join(",", partitions.Order(Comparer<TopicPartition>.Create(static (a, b) => (a.Topic, a.Partition).CompareTo((b.Topic, b.Partition)))));
}
