using OrleansLog.Grains;

namespace OrleansLog.Client;

/// <summary>
/// A consumer's state for one assigned partition: the application's position, the next offset to fetch,
/// a pending offset reset or committed-offset lookup, the buffered fetch results, and whether a fetch,
/// reset or lookup is in flight.
/// </summary>
/// <remarks>
/// Not thread-safe: the owning <see cref="OrleansLogConsumer"/> guards it with its lock. <see cref="Epoch"/>
/// changes on every seek, so answers to fetches or resets started before the seek are recognised and
/// dropped.
/// </remarks>
internal sealed class AssignedPartition(TopicPartition topicPartition, IPartitionGrain grain)
{
    public TopicPartition TopicPartition { get; } = topicPartition;

    public IPartitionGrain Grain { get; } = grain;

    /// <summary>The offset of the next record handed to the application; -1 while unknown.</summary>
    public long Position { get; set; } = -1;

    /// <summary>The offset the next fetch asks for; at or above <see cref="Position"/>.</summary>
    public long FetchOffset { get; set; } = -1;

    /// <summary><see cref="OffsetSpec.Earliest"/> or <see cref="OffsetSpec.Latest"/> when the position must be looked up first.</summary>
    public long? PendingReset { get; set; }

    public int Epoch { get; set; }

    public bool Paused { get; set; }

    public bool FetchInFlight { get; set; }

    /// <summary>Cancels the in-flight long-poll fetch when the partition is sought, unassigned or the consumer disposed.</summary>
    public CancellationTokenSource? FetchCancellation { get; set; }

    public bool ResetInFlight { get; set; }

    /// <summary>The position is to come from the group's committed offset (else auto.offset.reset); nothing is fetched until then.</summary>
    public bool AwaitingCommitted { get; set; }

    public bool CommittedLookupInFlight { get; set; }

    /// <summary>The last offset known committed for the group (looked up or committed by this consumer); -1 when none.</summary>
    public long CommittedOffset { get; set; } = -1;

    /// <summary>Being revoked or lost by a rebalance: nothing more is fetched or handed out; it is removed once the listener ran.</summary>
    public bool Revoking { get; set; }

    /// <summary>Monotonic milliseconds before which no fetch or reset is started (retry backoff).</summary>
    public long RetryAtMs { get; set; }

    /// <summary>An error to throw from the next consume; the partition stays halted until the application seeks.</summary>
    public Exception? Error { get; set; }

    public bool Halted { get; set; }

    /// <summary>The leader's high watermark as of the last fetch; -1 before the first.</summary>
    public long HighWatermark { get; set; } = -1;

    /// <summary>Fetch results not yet fully handed out, oldest first.</summary>
    public Queue<FetchedRecords> Buffered { get; } = new();

    /// <summary>Drops the buffered fetch results and returns their pooled bytes.</summary>
    public void ClearBuffered()
    {
        foreach (FetchedRecords fetched in Buffered)
        {
            fetched.ReturnBytes();
        }

        Buffered.Clear();
    }

    /// <summary>Forgets everything fetched or pending and cancels the in-flight fetch; for seek and unassign.</summary>
    public void Discard()
    {
        Epoch++;
        FetchCancellation?.Cancel();
        ClearBuffered();
        Error = null;
        Halted = false;
        RetryAtMs = 0;
        PendingReset = null;
        AwaitingCommitted = false;
    }
}
