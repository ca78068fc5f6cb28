namespace OrleansLog.Grains.Replication;

/// <summary>
/// The answer for one acks=all append that stopped waiting: <see cref="ErrorCode.None"/> once every
/// in-sync replica has it, <see cref="ErrorCode.NotEnoughReplicasAfterAppend"/> when the ISR had shrunk
/// below min.insync.replicas by the time it was replicated, or the reason given to
/// <see cref="LeaderReplicationState.FailPendingAppends"/>.
/// </summary>
/// <param name="LastOffset">Last offset of the append; identifies it, since offsets are unique.</param>
/// <param name="Error">The produce response's error code.</param>
public readonly record struct AppendCompletion(long LastOffset, ErrorCode Error);
