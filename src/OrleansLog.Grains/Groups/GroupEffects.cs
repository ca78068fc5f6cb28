namespace OrleansLog.Grains.Groups;

/// <summary>
/// What the state machine did that its host must act on, collected since the last
/// <see cref="GroupStateMachine.TakeEffects"/>: join calls to answer (after the state is durable), members
/// removed, rebalances started and generations completed (for logging).
/// </summary>
internal sealed class GroupEffects
{
    public List<JoinCompletion> CompletedJoins { get; } = [];

    public List<MemberRemoval> RemovedMembers { get; } = [];

    /// <summary>One entry per rebalance started, saying why.</summary>
    public List<string> RebalancesStarted { get; } = [];

    public List<GenerationCompleted> GenerationsCompleted { get; } = [];

    /// <summary>Static members whose restart replaced their member id: (old id, new id).</summary>
    public List<(string Previous, string Current)> StaticMembersReplaced { get; } = [];

    public bool IsEmpty =>
        CompletedJoins.Count == 0 && RemovedMembers.Count == 0 && RebalancesStarted.Count == 0
        && GenerationsCompleted.Count == 0 && StaticMembersReplaced.Count == 0;
}
