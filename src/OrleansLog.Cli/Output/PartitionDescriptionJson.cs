namespace OrleansLog.Cli.Output;

/// <summary>One partition in <c>topics describe --format json</c>, with Kafka's snake_case field names.</summary>
internal sealed record PartitionDescriptionJson(
    int Partition,
    string Leader,
    IReadOnlyList<string> Replicas,
    IReadOnlyList<string> Isr,
    long LogStartOffset,
    long HighWatermark,
    long LogEndOffset,
    long SizeBytes)
{
    public static PartitionDescriptionJson From(PartitionDescription partition) => new(
        partition.Partition,
        partition.Leader,
        partition.Replicas,
        partition.Isr,
        partition.LogStartOffset,
        partition.HighWatermark,
        partition.LogEndOffset,
        partition.SizeBytes);
}
