namespace OrleansLog.Cli.Output;

/// <summary>
/// One partition in <c>topics describe --format json</c>, with Kafka's snake_case field names.
/// <c>target_replicas</c> is null unless a reassignment is moving the partition to those nodes;
/// <c>storage_failure</c> is null unless the partition's log failed on its leader's node and no write has
/// succeeded on it since.
/// </summary>
internal sealed record PartitionDescriptionJson(
    int Partition,
    string Leader,
    int LeaderEpoch,
    IReadOnlyList<string> Replicas,
    IReadOnlyList<string>? TargetReplicas,
    IReadOnlyList<string> Isr,
    long LogStartOffset,
    long HighWatermark,
    long LogEndOffset,
    long SizeBytes,
    string? StorageFailure)
{
    public static PartitionDescriptionJson From(PartitionDescription partition) => new(
        partition.Partition,
        partition.Leader,
        partition.LeaderEpoch,
        partition.Replicas,
        partition.TargetReplicas,
        partition.Isr,
        partition.LogStartOffset,
        partition.HighWatermark,
        partition.LogEndOffset,
        partition.SizeBytes,
        partition.StorageFailure);
}
