namespace OrleansLog.Groups;

/// <summary>Kafka's classic group states.</summary>
public enum GroupState
{
    /// <summary>No members; committed offsets may remain.</summary>
    Empty = 0,

    /// <summary>A rebalance started: waiting for members to (re)join.</summary>
    PreparingRebalance = 1,

    /// <summary>Join phase done, assignments computed, waiting for members to sync.</summary>
    CompletingRebalance = 2,

    /// <summary>Every member has its assignment and heartbeats.</summary>
    Stable = 3,

    /// <summary>The group was deleted.</summary>
    Dead = 4,
}
