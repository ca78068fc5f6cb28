namespace OrleansLog.Grains.Replication;

/// <summary>What a follower did with one partition's answer from its leader (<see cref="FollowerRules.ApplyFetchAsync"/>).</summary>
internal enum FollowerAnswerKind
{
    /// <summary>The records were appended (or there were none): fetch again.</summary>
    Appended,

    /// <summary>The records could not be appended (CRC mismatch, storage failure): back off, then fetch again.</summary>
    AppendFailed,

    /// <summary>The leader is in a newer epoch: adopt it; the copy truncates against it before fetching again.</summary>
    NewerEpoch,

    /// <summary>The fetch offset was below the leader's log start: the copy was emptied and starts there.</summary>
    StartedOver,

    /// <summary>The copy was ahead of the leader's log end and was cut back to it.</summary>
    CutToLeaderEnd,

    /// <summary>The leader refused (it no longer leads, the node is not a replica, or another error): look the leader up.</summary>
    Refused,
}

/// <param name="Kind">What happened.</param>
/// <param name="Failure">Why an append failed (<see cref="FollowerAnswerKind.AppendFailed"/>).</param>
internal readonly record struct FollowerAnswer(FollowerAnswerKind Kind, Exception? Failure = null);
