namespace OrleansLog.Grains;

/// <summary>
/// The leader of one partition and the only writer of its log. Key: <c>"{topic}/{partition}"</c>
/// (<see cref="TopicPartition.ToGrainKey"/>). Hot methods return results with Kafka error codes rather
/// than throwing across the grain boundary.
/// </summary>
[Alias("olog.IPartitionGrain")]
public interface IPartitionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates the batch once (framing, CRC, records, size against max.message.bytes, codec), assigns
    /// offsets and appends it. With flush.messages=1 the answer comes only after the bytes are fsynced.
    /// Idempotent batches (producer id ≥ 0) are deduplicated: a retried batch gets its original result.
    /// </summary>
    [Alias("append")]
    Task<AppendResult> AppendAsync(RecordBatchPayload batch, Acks acks, CancellationToken cancellationToken = default);

    /// <summary>
    /// Long-poll fetch: answers at once when at least <see cref="FetchRequest.MinBytes"/> are available,
    /// else waits up to <see cref="FetchRequest.MaxWaitMs"/> and is woken by the next append. Never returns
    /// data at or above the high watermark. Many fetches may wait at once without blocking appends.
    /// </summary>
    [Alias("fetch")]
    Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default);

    /// <summary>Kafka ListOffsets: <see cref="OffsetSpec.Earliest"/>, <see cref="OffsetSpec.Latest"/> or a timestamp in ms.</summary>
    [Alias("list-offsets")]
    Task<ListOffsetsResult> ListOffsetsAsync(long timestamp, CancellationToken cancellationToken = default);

    /// <summary>Offsets, size and replica state of this partition.</summary>
    [Alias("describe")]
    Task<PartitionDescription> DescribeAsync(CancellationToken cancellationToken = default);

    /// <summary>Kafka DeleteRecords: advances the log start offset to <paramref name="offset"/>.</summary>
    [Alias("delete-records")]
    Task<AdminResult> DeleteRecordsBeforeAsync(long offset, CancellationToken cancellationToken = default);

    /// <summary>
    /// A follower's fetch: batches from the follower's log end up to the leader's, long-polled like
    /// <see cref="FetchAsync"/>. The fetch offset acknowledges everything below it, which moves the high
    /// watermark and completes acks=all appends. Refused unless this activation leads in the follower's epoch.
    /// </summary>
    [Alias("replica-fetch")]
    Task<ReplicaFetchResult> ReplicaFetchAsync(ReplicaFetchRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// OffsetForLeaderEpoch for a follower of <paramref name="currentLeaderEpoch"/> that must find where its
    /// log diverges (KIP-101/KIP-279): the end offset of <paramref name="requestedEpoch"/> in the leader's log.
    /// </summary>
    [Alias("offset-for-leader-epoch")]
    Task<EpochEndOffsetResult> OffsetForLeaderEpochAsync(string nodeId, int currentLeaderEpoch, int requestedEpoch, CancellationToken cancellationToken = default);

    /// <summary>Called by the topic grain to move this partition's replicas (see <see cref="ITopicGrain.ReassignAsync"/>).</summary>
    [Alias("reassign")]
    Task<AdminResult> ReassignAsync(IReadOnlyList<string> replicas, CancellationToken cancellationToken = default);

    /// <summary>Called by the topic grain when the topic's configuration changed.</summary>
    [Alias("apply-config")]
    Task ApplyConfigAsync(TopicConfig config, CancellationToken cancellationToken = default);

    /// <summary>Called by the topic grain when the topic is deleted: removes the log and deactivates.</summary>
    [Alias("delete-partition")]
    Task DeletePartitionAsync(CancellationToken cancellationToken = default);
}
