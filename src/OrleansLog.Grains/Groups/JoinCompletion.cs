using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>The answer to the pending JoinGroup call <see cref="JoinId"/>.</summary>
internal readonly record struct JoinCompletion(long JoinId, JoinGroupResult Result);
