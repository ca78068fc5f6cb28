namespace OrleansLog.Grains.Groups;

/// <summary>A member the state machine removed, and why.</summary>
internal readonly record struct MemberRemoval(string MemberId, string? GroupInstanceId, RemovalReason Reason);
