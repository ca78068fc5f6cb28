namespace OrleansLog;

/// <summary>
/// What an operator sees of one partition (<c>olog topics describe</c>). Replicas, ISR and leader epoch
/// are node ids and epochs from the replication layer; with one node the leader is that node.
/// <see cref="TargetReplicas"/> is set while a reassignment moves the partition to those nodes;
/// <see cref="StorageFailure"/> while the leader's node reports the partition's log failed (a full or failing
/// disk) and no write has succeeded on it since.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.PartitionDescription")]
public sealed record PartitionDescription(
    [property: Id(0)] int Partition,
    [property: Id(1)] string Leader,
    [property: Id(2)] IReadOnlyList<string> Replicas,
    [property: Id(3)] IReadOnlyList<string> Isr,
    [property: Id(4)] int LeaderEpoch,
    [property: Id(5)] long LogStartOffset,
    [property: Id(6)] long HighWatermark,
    [property: Id(7)] long LogEndOffset,
    [property: Id(8)] long SizeBytes,
    [property: Id(9)] ErrorCode Error,
    [property: Id(10)] IReadOnlyList<string>? TargetReplicas = null,
    [property: Id(11)] string? StorageFailure = null);
