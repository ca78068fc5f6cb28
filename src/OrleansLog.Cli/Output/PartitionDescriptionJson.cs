namespace OrleansLog.Cli.Output;

/// <summary>
/// One partition in <c>topics describe --format json</c>, with Kafka's snake_case field names.
/// <c>target_replicas</c> is null unless a reassignment is moving the partition to those nodes.
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
    long SizeBytes)
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
        partition.SizeBytes);
}
