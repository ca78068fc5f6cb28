namespace OrleansLog;

/// <summary>
/// One node of the cluster as <c>olog cluster describe</c> shows it. A node is a silo with a stable
/// node id bound to its data directory; its silo address changes on every restart.
/// </summary>
/// <param name="NodeId">The stable node id (the silo's name in Orleans membership).</param>
/// <param name="SiloAddress">The current (or last known) silo address, <c>ip:port@generation</c>.</param>
/// <param name="Status">Orleans membership status: Active, Joining, ShuttingDown, Dead, ...</param>
/// <param name="StartedAtMs">When the silo started (Unix ms); uptime is now minus this for an active node.</param>
/// <param name="Leads">Partitions whose leader (partition grain) is active on this node; empty when the node is not reachable.</param>
/// <param name="Holds">Partitions with a log on this node's disk; empty when the node is not reachable.</param>
/// <param name="DiskUsedBytes">Bytes used by partition logs on this node; -1 when the node is not reachable.</param>
/// <param name="Error">Why the node's own report is missing (not active, or the call failed); null when it answered.</param>
[GenerateSerializer, Immutable, Alias("olog.NodeDescription")]
public sealed record NodeDescription(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string SiloAddress,
    [property: Id(2)] string Status,
    [property: Id(3)] long StartedAtMs,
    [property: Id(4)] IReadOnlyList<TopicPartition> Leads,
    [property: Id(5)] IReadOnlyList<TopicPartition> Holds,
    [property: Id(6)] long DiskUsedBytes,
    [property: Id(7)] string? Error,
    [property: Id(8)] IReadOnlyList<string>? FailedLogs = null);
