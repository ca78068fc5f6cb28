namespace OrleansLog.Client;

/// <summary>Where a <see cref="ProducerBatch"/> is in its life; see that type.</summary>
internal enum ProducerBatchState
{
    /// <summary>Accepting records.</summary>
    Open,

    /// <summary>No more records (full, lingered out or flushed); not sent yet, so no sequence yet.</summary>
    Closed,

    /// <summary>Sealed, waiting to be sent (or re-sent after a retriable failure).</summary>
    Ready,

    /// <summary>Being sealed or handed to the partition grain, answer pending.</summary>
    InFlight,

    /// <summary>Every record's outcome reported.</summary>
    Done,
}
