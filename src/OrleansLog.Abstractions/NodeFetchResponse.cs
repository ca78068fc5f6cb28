namespace OrleansLog;

/// <summary>
/// A leader node's answer to a <see cref="NodeFetchRequest"/>: one result per partition in
/// <see cref="Partitions"/>, which are those of the session with records, an error, or a high watermark,
/// log start or leader epoch the follower has not been told yet (every partition after a full request);
/// the caller owns their records. <see cref="Error"/> is set, and nothing else, when the session is unknown
/// or the request's epoch is not the next one: the follower starts over with a full request.
/// </summary>
[GenerateSerializer, Alias("olog.NodeFetchResponse")]
public sealed class NodeFetchResponse
{
    [Id(0)] public ReplicaFetchResult[] Results { get; set; } = [];

    [Id(1)] public TopicPartition[] Partitions { get; set; } = [];

    /// <summary>The session the follower continues with its next request.</summary>
    [Id(2)] public long SessionId { get; set; }

    /// <summary><see cref="ErrorCode.FetchSessionIdNotFound"/> or <see cref="ErrorCode.InvalidFetchSessionEpoch"/>; otherwise none.</summary>
    [Id(3)] public ErrorCode Error { get; set; }

    [Id(4)] public string? Message { get; set; }
}
