namespace OrleansLog.Grains.Replication;

/// <summary>The result of one truncation step.</summary>
/// <param name="Outcome">What to do.</param>
/// <param name="TruncateToOffset">The offset to pass to <c>PartitionLog.TruncateTo</c>; the follower's log end offset when nothing is cut; -1 when unresolved.</param>
/// <param name="Reason">Why, in words, for the log line.</param>
public readonly record struct TruncationDecision(TruncationOutcome Outcome, long TruncateToOffset, string Reason);
