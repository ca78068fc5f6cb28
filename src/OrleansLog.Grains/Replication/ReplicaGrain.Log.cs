using Microsoft.Extensions.Logging;

namespace OrleansLog.Grains.Replication;

internal sealed partial class ReplicaGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: replica on node {Node} deleted (leader epoch {LeaderEpoch})")]
    private static partial void LogDeleted(ILogger logger, string partition, string node, int leaderEpoch);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Partition {Partition}: replica on node {Node} ignored a stale {Call} call of leader epoch {LeaderEpoch}; it knows {LatestEpoch}")]
    private static partial void LogStaleCall(ILogger logger, string partition, string node, string call, int leaderEpoch, int latestEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: replica on node {Node} stops: its topic no longer exists")]
    private static partial void LogTopicGone(ILogger logger, string partition, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partition {Partition}: replica of node {Node} was activated on node {ThisNode} (its node active: {NodeActive}); it leaves")]
    private static partial void LogOffItsNode(ILogger logger, string partition, string node, string thisNode, bool nodeActive);
}
