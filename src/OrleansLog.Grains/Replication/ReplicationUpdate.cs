namespace OrleansLog.Grains.Replication;

/// <summary>
/// What a <see cref="LeaderReplicationState"/> operation changed, for the caller to act on: answer the
/// completed appends, tell fetchers the high watermark, and persist the ISR proposal (then call
/// <see cref="LeaderReplicationState.CommitIsr"/>).
/// </summary>
/// <param name="Error"><see cref="ErrorCode.None"/>, or why the request was refused (nothing changed then).</param>
/// <param name="HighWatermark">The leader's high watermark after the operation.</param>
/// <param name="Completed">acks=all appends that stopped waiting, in offset order; empty (not allocated) when none did.</param>
/// <param name="IsrProposal">A new ISR change to persist, or null.</param>
/// <param name="Acknowledged">For an acks=all leader append: its answer once replicated (or the leader resigned); else null.</param>
public readonly record struct ReplicationUpdate(
    ErrorCode Error,
    long HighWatermark,
    IReadOnlyList<AppendCompletion> Completed,
    IsrProposal? IsrProposal,
    Task<ErrorCode>? Acknowledged = null);
