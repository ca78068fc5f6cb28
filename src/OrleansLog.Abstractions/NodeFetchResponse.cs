namespace OrleansLog;

/// <summary>A leader node's answer to a <see cref="NodeFetchRequest"/>: one result per partition asked, in order; the caller owns their records.</summary>
[GenerateSerializer, Alias("olog.NodeFetchResponse")]
public sealed class NodeFetchResponse
{
    [Id(0)] public ReplicaFetchResult[] Results { get; set; } = [];
}
