using Microsoft.Extensions.Logging;

namespace OrleansLog.Grains.Replication;

internal sealed partial class ReplicaGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Partition} on node {Node}: following the leader of epoch {LeaderEpoch}")]
    private static partial void LogFollowing(ILogger logger, string partition, string node, int leaderEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Partition} on node {Node}: stopped, this node leads in epoch {LeaderEpoch}")]
    private static partial void LogStopped(ILogger logger, string partition, string node, int leaderEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Partition} on node {Node}: removed from the replica set in epoch {LeaderEpoch}; files deleted")]
    private static partial void LogDeleted(ILogger logger, string partition, string node, int leaderEpoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Partition} on node {Node}: ignored {Call} from a leader of epoch {LeaderEpoch}; epoch {LatestEpoch} is newer")]
    private static partial void LogStaleCall(ILogger logger, string partition, string node, string call, int leaderEpoch, int latestEpoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Partition} on node {Node}: fetch failed ({Type}: {Reason}); retrying")]
    private static partial void LogFetchFailed(ILogger logger, string partition, string node, string type, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Partition} on node {Node}: the leader refused: {Error} {Reason}")]
    private static partial void LogFetchRefused(ILogger logger, string partition, string node, ErrorCode error, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Partition} on node {Node}: truncating from {LogEndOffset} to {Offset}: {Reason}")]
    private static partial void LogTruncating(ILogger logger, string partition, string node, long logEndOffset, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Partition} on node {Node}: could not find where the log diverges: {Reason}")]
    private static partial void LogTruncationUnresolved(ILogger logger, string partition, string node, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Partition} on node {Node}: needs offset {Offset} but the leader's log starts at {LeaderLogStartOffset}; starting over there")]
    private static partial void LogStartingOver(ILogger logger, string partition, string node, long offset, long leaderLogStartOffset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replica {Partition} on node {Node}: log end {Offset} is past the leader's {LeaderLogEndOffset}; cutting to the leader's")]
    private static partial void LogAheadOfLeader(ILogger logger, string partition, string node, long offset, long leaderLogEndOffset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replica {Partition} on node {Node}: the topic or partition no longer exists; stopped")]
    private static partial void LogTopicGone(ILogger logger, string partition, string node);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replica {Partition} on node {Node}: called on node {ThisNode}, placed here while its node was down; moving to its node: {NodeActive}")]
    private static partial void LogOffItsNode(ILogger logger, string partition, string node, string thisNode, bool nodeActive);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Replica {Partition} on node {Node}: already follows leader epoch {LeaderEpoch} (fetch loop running: {Running}, fetch in flight: {InFlight})")]
    private static partial void LogAlreadyFollowing(ILogger logger, string partition, string node, int leaderEpoch, bool running, bool inFlight);

}
