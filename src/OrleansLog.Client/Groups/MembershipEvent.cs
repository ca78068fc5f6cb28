namespace OrleansLog.Client;

/// <summary>
/// A change of ownership that <see cref="GroupMembership"/> hands to the consumer. The membership loop
/// learns of it in the background; the consumer applies it inside its next consume call, so that
/// commits and rebalance callbacks never run concurrently with the application's processing.
/// </summary>
internal sealed class MembershipEvent
{
    private MembershipEvent(MembershipEventKind kind, string memberId, int generationId, string? assignor, IReadOnlyList<TopicPartition> partitions, string reason)
    {
        Kind = kind;
        MemberId = memberId;
        GenerationId = generationId;
        Assignor = assignor;
        Partitions = partitions;
        Reason = reason;
    }

    public MembershipEventKind Kind { get; }

    /// <summary>For <see cref="MembershipEventKind.Assignment"/>: the member id the partitions were assigned to.</summary>
    public string MemberId { get; }

    /// <summary>For <see cref="MembershipEventKind.Assignment"/>: the generation; commits for these partitions carry it.</summary>
    public int GenerationId { get; }

    /// <summary>For <see cref="MembershipEventKind.Assignment"/>: the assignor the coordinator chose for the generation.</summary>
    public string? Assignor { get; }

    /// <summary>For <see cref="MembershipEventKind.Assignment"/>: the member's whole assignment.</summary>
    public IReadOnlyList<TopicPartition> Partitions { get; }

    /// <summary>Why, for the log.</summary>
    public string Reason { get; }

    /// <summary>Completed when the consumer has applied the event (or it became moot); the loop waits on it for RevokeAll.</summary>
    public TaskCompletionSource Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static MembershipEvent Assignment(string memberId, int generationId, string? assignor, IReadOnlyList<TopicPartition> partitions) =>
        new(MembershipEventKind.Assignment, memberId, generationId, assignor, partitions, $"generation {generationId}");

    public static MembershipEvent RevokeAll(string reason) => new(MembershipEventKind.RevokeAll, string.Empty, -1, null, [], reason);

    public static MembershipEvent Lost(string reason) => new(MembershipEventKind.Lost, string.Empty, -1, null, [], reason);

    public override string ToString() => $"{Kind} ({Reason})";
}
