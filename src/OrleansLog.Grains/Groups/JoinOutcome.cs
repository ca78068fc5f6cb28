using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>
/// What <see cref="GroupStateMachine.Join"/> decided at once: either a rejection to answer now, or the id of
/// a pending join whose answer arrives later as a <see cref="JoinCompletion"/> in the machine's effects
/// (possibly from the same call, when the join phase completes right away).
/// </summary>
internal readonly record struct JoinOutcome(long JoinId, JoinGroupResult? Rejection)
{
    public bool IsPending => Rejection is null;
}
