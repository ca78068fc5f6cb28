using Microsoft.Extensions.Logging;

namespace OrleansLog.Client;

internal sealed partial class GroupMembership
{
    [LoggerMessage(1300, LogLevel.Debug, "Group {GroupId}: joining as member '{MemberId}' claiming {OwnedCount} owned partitions")]
    private static partial void LogJoining(ILogger logger, string groupId, string memberId, int ownedCount);

    [LoggerMessage(1301, LogLevel.Information, "Group {GroupId}: member {MemberId} joined generation {GenerationId} (assignor {Assignor}) with {PartitionCount} partitions")]
    private static partial void LogJoined(ILogger logger, string groupId, string memberId, int generationId, string? assignor, int partitionCount);

    [LoggerMessage(1302, LogLevel.Information, "Group {GroupId}: rejoining because {Reason}")]
    private static partial void LogRejoinRequested(ILogger logger, string groupId, string reason);

    [LoggerMessage(1303, LogLevel.Warning, "Group {GroupId}: {Call} answered {Error}: {Message}")]
    private static partial void LogCallError(ILogger logger, string groupId, string call, ErrorCode error, string? message);

    [LoggerMessage(1304, LogLevel.Warning, "Group {GroupId}: {Call} failed; retrying after the backoff")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string groupId, string call);

    [LoggerMessage(1305, LogLevel.Warning, "Group {GroupId}: heartbeat of member {MemberId} failed; retrying after the backoff")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception, string groupId, string memberId);

    [LoggerMessage(1306, LogLevel.Warning, "Group {GroupId}: member {MemberId} made no consume call within max.poll.interval ({MaxPollInterval}); leaving the group until the next consume call")]
    private static partial void LogPollTimeout(ILogger logger, string groupId, string memberId, TimeSpan maxPollInterval);

    [LoggerMessage(1307, LogLevel.Information, "Group {GroupId}: member {MemberId} left because {Reason} ({Error})")]
    private static partial void LogLeft(ILogger logger, string groupId, string memberId, string reason, ErrorCode error);

    [LoggerMessage(1308, LogLevel.Warning, "Group {GroupId}: LeaveGroup of member {MemberId} failed; the coordinator will expire it after the session timeout")]
    private static partial void LogLeaveFailed(ILogger logger, Exception exception, string groupId, string memberId);

    [LoggerMessage(1309, LogLevel.Warning, "Group {GroupId}: membership lost because {Reason}; partitions will be reported lost and the member rejoins")]
    private static partial void LogLost(ILogger logger, string groupId, string reason);

    [LoggerMessage(1310, LogLevel.Error, "Group {GroupId}: membership failed and will not be retried")]
    private static partial void LogFatal(ILogger logger, Exception exception, string groupId);
}
