using Microsoft.Extensions.Logging;
using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

internal sealed partial class GroupCoordinatorGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} resumed in {State} at generation {GenerationId} with {Members} members")]
    private static partial void LogResumed(ILogger logger, string groupId, GroupState state, int generationId, int members);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} is rebalancing: {Reason}")]
    private static partial void LogRebalanceStarted(ILogger logger, string groupId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} generation {GenerationId}: {Members} members, assignor {Assignor}, cooperative follow-up needed: {FollowUp}")]
    private static partial void LogGenerationCompleted(ILogger logger, string groupId, int generationId, int members, string? assignor, bool followUp);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: member {MemberId} removed ({Reason})")]
    private static partial void LogMemberRemoved(ILogger logger, string groupId, string memberId, RemovalReason reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: static member {Previous} restarted as {Current}; the old member id is fenced")]
    private static partial void LogStaticMemberReplaced(ILogger logger, string groupId, string previous, string current);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId}: offsets of topic {Topic} reset to {Kind} {Value} on {Partitions} partitions")]
    private static partial void LogOffsetsReset(ILogger logger, string groupId, string topic, OffsetResetKind kind, long value, int partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} deleted")]
    private static partial void LogDeleted(ILogger logger, string groupId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Group {GroupId}: {What} failed; the coordinator deactivates and starts over from its stored state")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, string groupId, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId}: partition counts of [{Topics}] could not be refreshed")]
    private static partial void LogMetadataRefreshFailed(ILogger logger, Exception exception, string groupId, string topics);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId}: the group registry call {Operation} failed")]
    private static partial void LogRegistryFailed(ILogger logger, Exception exception, string groupId, string operation);
}
